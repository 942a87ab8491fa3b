import { describe, expect, it } from 'vitest';
import { buildTaskInputs } from '../../../lib/experiment/expand.js';
import { loadExperiment } from '../../../lib/experiment/load.js';
import { taskInputSchema } from '../../../lib/experiment/task.js';
import { filesOf, problemsOf, SIR_MODEL, withModel } from './fixtures.js';

describe('ids that every JavaScript object already has', () => {
  it.each(['__proto__', 'constructor', 'prototype', 'toString'])(
    'refuses %s as a compartment id, naming file, path and line',
    (id) => {
      const problems = withModel((t) =>
        t.replace('    - id: R\n', `    - id: ${id}\n`).replace('target: R', `target: ${id}`),
      );
      expect(problems).toContainEqual(
        `config/model.yaml: model.compartments[2].id (line 18): "${id}" is reserved (a name every JavaScript object has): choose another name`,
      );
    },
  );

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses %s as a parameter id instead of dropping it',
    (id) => {
      const problems = withModel((t) =>
        t.replace('    beta: 0.3\n', `    ${id}: 0.3\n`).replace('rate: beta', `rate: ${id}`),
      );
      expect(problems[0]).toMatch(
        new RegExp(`^config/model\\.yaml: model\\.parameters.*\\(line 30\\): .*${id}.*reserved`),
      );
    },
  );

  it('refuses a config whose root key is an inherited name', () => {
    expect(
      problemsOf({ 'config/model.yaml': SIR_MODEL, 'config/x.yaml': 'toString:\n  a: 1\n' }),
    ).toEqual([
      'config/x.yaml (line 1): expected exactly one root key, one of model, modelset, output; got toString',
    ]);
  });

  it('keeps a task input with a __proto__ key out of Stage B', () => {
    const [input] = buildTaskInputs(loadExperiment(filesOf({ 'config/model.yaml': SIR_MODEL })), {
      expId: 'e',
      runId: 'r',
    });
    const poisoned = JSON.parse(
      JSON.stringify(input).replace('"R":', '"__proto__":').replace(',"R"]', ',"__proto__"]'),
    ) as unknown;
    expect(taskInputSchema.safeParse(poisoned).success).toBe(false);
  });
});
