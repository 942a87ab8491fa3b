import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { buildTaskInputs } from '../../../lib/experiment/expand.js';
import { loadExperiment } from '../../../lib/experiment/load.js';
import { resolveParameters } from '../../../lib/engine/resolve.js';
import { findLocation } from '../../../lib/experiment/locations.js';
import { taskInputSchema } from '../../../lib/experiment/task.js';
import { filesOf, SIR_MODEL } from './fixtures.js';

const ids = { expId: 'e', runId: 'r' };
const MA = findLocation('US-MA')!.population;

const sampledModel = SIR_MODEL.replace('      init: 10', '      init: sampled')
  .replace('    - id: R\n', '    - id: R\n      init: {proportion: 0.25}\n')
  .replace(
    '    beta: 0.3\n',
    '    R0: {type: sampled}\n    beta: {type: calculated, expression: R0 * gamma}\n',
  );

const modelset = `modelset:
  population_names: [US-MA, US-VT, US]
  sampling:
    grid:
      start_date: [2024-01-01, 2024-01-11]
    latin_hypercube:
      n_samples: 4
      parameters:
        R0: {low: 1.5, high: 2.5}
      compartments:
        I: {low: 0.0001, high: 0.001}
`;

describe('building task inputs', () => {
  it('gives one task for a basemodel alone, with the default compartment taking the rest', () => {
    const [task, ...rest] = buildTaskInputs(
      loadExperiment(filesOf({ 'config/model.yaml': SIR_MODEL })),
      ids,
    );
    expect(rest).toHaveLength(0);
    expect(taskInputSchema.parse(task)).toBeTruthy();
    expect(task!.population).toEqual({ code: 'US-MA', name: 'Massachusetts', size: MA });
    expect(task!.model.init).toEqual({ I: [10], R: [0], S: [MA - 10] });
    expect(task!.model.steps).toBe(31);
    expect(task!.model.parameters).toEqual({ beta: [0.3], gamma: [0.1] });
  });

  it('crosses locations with grid x Latin hypercube samples (N = 3 x 2 x 4)', () => {
    const exp = loadExperiment(
      filesOf({ 'config/model.yaml': sampledModel, 'config/modelset.yaml': modelset }),
    );
    const tasks = buildTaskInputs(exp, ids);
    expect(tasks).toHaveLength(24);
    expect(tasks.map((t) => t.taskIndex)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(tasks[8]!.population.code).toBe('US-VT');
    expect(tasks[8]!.sample.id).toBe(0);
    // the same design for every location
    expect(tasks[9]!.sample).toEqual(tasks[1]!.sample);
    const later = tasks[4]!;
    expect(later.sample.values.start_date).toBe('2024-01-11');
    expect(later.model.steps).toBe(21);
    const r0 = tasks.slice(0, 4).map((t) => t.sample.values.R0 as number);
    expect(r0.map((v) => Math.floor((v - 1.5) * 4)).sort()).toEqual([0, 1, 2, 3]); // one per stratum
    for (const t of tasks) {
      const { init, groupSizes, parameters, derived } = t.model;
      expect(parameters.beta).toBeUndefined(); // calculated: resolved by the engine from `derived`
      expect(derived).toEqual([{ name: 'beta', expression: 'R0 * gamma' }]);
      expect(init.S![0]! + init.I![0]! + init.R![0]!).toBe(groupSizes[0]);
      expect(init.R![0]).toBe(Math.round(0.25 * groupSizes[0]!));
      expect(init.I![0]).toBe(Math.round((t.sample.values['init.I'] as number) * groupSizes[0]!));
      expect(resolveParameters(t.model).beta![0]).toBeCloseTo(
        (t.sample.values.R0 as number) * 0.1,
        12,
      );
    }
  });

  it('splits counts over age groups and sizes groups from the age distribution', () => {
    const model = SIR_MODEL.replace(
      '    name: US-MA\n',
      '    name: US-MA\n    age_groups: [young, old]\n    age_distribution: data/age.csv\n    contact_matrix: data/c.csv\n',
    ).replace('    beta: 0.3\n', '    beta: {type: age_varying, values: [0.3, 0.2]}\n');
    const exp = loadExperiment(
      filesOf({
        'config/model.yaml': model,
        'data/age.csv': 'age_group,fraction\nyoung,0.25\nold,0.75\n',
        'data/c.csv': ',young,old\nyoung,5,1\nold,1,3\n',
      }),
    );
    const [task] = buildTaskInputs(exp, ids);
    expect(task!.model.groupSizes.reduce((a, b) => a + b)).toBe(MA);
    expect(task!.model.init.I).toEqual([3, 7]);
    expect(task!.model.contact).toEqual([
      [5, 1],
      [1, 3],
    ]);
    expect(task!.model.parameters.beta).toEqual([0.3, 0.2]);
  });

  it('fails with a ConfigError when initial counts exceed a population', () => {
    const exp = loadExperiment(
      filesOf({ 'config/model.yaml': SIR_MODEL.replace('init: 10', 'init: 100000000') }),
    );
    expect(() => buildTaskInputs(exp, ids)).toThrow(ConfigError);
    expect(() => buildTaskInputs(exp, ids)).toThrow(
      /in US-MA \(group 0, size 7136171\) the initial counts of the other compartments exceed the group size/,
    );
  });

  it('fails with a ConfigError when a rate that depends on a sampled value evaluates negative', () => {
    const model = sampledModel.replace('rate: gamma', 'rate: gamma - R0');
    const exp = loadExperiment(
      filesOf({ 'config/model.yaml': model, 'config/modelset.yaml': modelset }),
    );
    expect(() => buildTaskInputs(exp, ids)).toThrow(
      /config\/model\.yaml: model\.transitions\[1\]\.rate: "gamma - R0" evaluates to -[\d.]+ in US-MA \(group 0, sample 0\); expected a finite rate >= 0/,
    );
  });

  it('sizes groups per location when the age distribution has one column per location', () => {
    const model = SIR_MODEL.replace(
      '    name: US-MA\n',
      '    name: US-MA\n    age_groups: [young, old]\n    age_distribution: data/age.csv\n    contact_matrix: data/c.csv\n',
    );
    const files = {
      'config/model.yaml': model,
      'config/modelset.yaml': 'modelset:\n  population_names: [US-MA, US-VT]\n',
      'data/age.csv': 'age_group,US-VT,US-MA\nyoung,0.5,0.25\nold,0.5,0.75\n',
      'data/c.csv': ',young,old\nyoung,5,1\nold,1,3\n',
    };
    const [ma, vt] = buildTaskInputs(loadExperiment(filesOf(files)), ids);
    expect(ma!.model.groupSizes).toEqual([Math.round(MA * 0.25), MA - Math.round(MA * 0.25)]);
    const VT = findLocation('US-VT')!.population;
    expect(vt!.model.groupSizes[0]! + vt!.model.groupSizes[1]!).toBe(VT);
    expect(Math.abs(vt!.model.groupSizes[0]! - vt!.model.groupSizes[1]!)).toBeLessThanOrEqual(1);
    const bad = {
      ...files,
      'config/modelset.yaml': 'modelset:\n  population_names: [US-MA, US-RI]\n',
      'data/age.csv': 'age_group,US-ZZ,US-MA\nyoung,0.5,0.25\nold,0.5,0.75\n',
    };
    expect(() => loadExperiment(filesOf(bad))).toThrow(
      'data/age.csv: unknown location column(s) US-ZZ: expected "fraction" or location codes such as US-MA\n  - data/age.csv: no column for US-RI: expected one column per location of the run, or a single "fraction" column',
    );
  });
});
