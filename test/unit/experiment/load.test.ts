import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../../lib/experiment/load.js';
import { validateExperimentDir, type ExperimentCheck } from '../../../lib/experiment/snapshot.js';
import { filesOf, problemsOf, SIR_MODEL, withModel } from './fixtures.js';

const examples = fileURLToPath(
  new URL('../../../local/forecast/experiments/examples/', import.meta.url),
);

describe('experiment validation', () => {
  it('accepts the shipped examples and counts their tasks', async () => {
    expect((await validateExperimentDir(`${examples}seir-ma`)).numTasks).toBe(1);
    const flu = (await validateExperimentDir(`${examples}flu-states-sampling`)) as ExperimentCheck;
    expect(flu.numTasks).toBe(24);
    expect(flu.files).toContain('data/contact-matrix.csv');
    expect(flu.experiment.groups).toEqual(['0-4', '5-17', '18-49', '50-64', '65+']);
  });

  it('applies the documented defaults', () => {
    const exp = loadExperiment(filesOf({ 'config/model.yaml': SIR_MODEL }));
    expect(exp.output.quantiles.levels).toHaveLength(23);
    expect(exp.output.quantiles.compartments).toBe(true);
    expect(exp.output.trajectories).toEqual({ compartments: false, transitions: false });
    expect(exp.outputFile).toBeUndefined();
    expect(exp.groups).toEqual(['0']);
    expect(exp.contact).toEqual([[1]]);
  });

  it('names file, path, line and expectation for type errors, unknown and missing keys', () => {
    const problems = withModel((t) =>
      t
        .replace('n_sims: 5', 'n_sims: many')
        .replace('    delta_t: 1\n', '    delta_t: 1\n    step: 2\n')
        .replace('  random_seed: 1\n', ''),
    );
    expect(problems).toEqual([
      'config/model.yaml: model.random_seed (line 2): Invalid input: expected number, received undefined',
      'config/model.yaml: model.timespan.step (line 7): unknown key(s) "step": remove or fix the spelling',
      'config/model.yaml: model.simulation.n_sims (line 9): Invalid input: expected number, received string',
    ]);
  });

  it('reports every cross-reference problem at once', () => {
    const problems = withModel((t) =>
      t
        .replace('mediator: I', 'mediator: X')
        .replace('rate: gamma', 'rate: gamma * (1 - ')
        .replace('rate: beta', 'rate: betta')
        .replace('name: US-MA', 'name: US-ZZ')
        .replace('end_date: 2024-01-31', 'end_date: 2023-12-31'),
    );
    expect(problems).toEqual([
      'config/model.yaml: model.transitions[0].mediator (line 23): unknown compartment "X": expected one of S, I, R',
      'config/model.yaml: model.transitions[0].rate (line 24): unknown parameter "betta" in "betta": expected one of beta, gamma',
      'config/model.yaml: model.transitions[1].rate (line 28): invalid expression "gamma * (1 -": expected a number, a parameter name or "(" at position 13, found end of expression',
      'config/model.yaml: model.timespan.end_date (line 6): end_date 2023-12-31 is before start_date 2024-01-01',
      expect.stringMatching(
        /^config\/model\.yaml: model\.population\.name \(line 12\): unknown location "US-ZZ": expected US or an ISO 3166-2 code/,
      ),
    ]);
  });

  it('checks init forms, defaults, calculated cycles and age-varying lengths', () => {
    const problems = withModel((t) =>
      t
        .replace('init: 10', 'init: {proportion: 2}')
        .replace('    - id: R\n', '    - id: R\n      init: default\n')
        .replace(
          '    beta: 0.3\n',
          '    beta: {type: calculated, expression: k * gamma}\n    k: {type: calculated, expression: beta / 2}\n    v: {type: age_varying, values: [1, 2]}\n',
        ),
    );
    expect(problems).toEqual([
      'config/model.yaml: model.compartments[1].init (line 17): expected "default", "sampled", a count (integer >= 0), {count: n}, {proportion: 0..1} or a list of counts, one per age group, got {"proportion":2}',
    ]);
    const cross = withModel((t) =>
      t
        .replace('    - id: R\n', '    - id: R\n      init: default\n')
        .replace(
          '    beta: 0.3\n',
          '    beta: {type: calculated, expression: k * gamma}\n    k: {type: calculated, expression: beta / 2}\n    v: {type: age_varying, values: [1, 2]}\n',
        ),
    );
    expect(cross).toEqual([
      'config/model.yaml: model.compartments (line 14): expected exactly one compartment with init: default (it takes the rest of the population), found 2',
      'config/model.yaml: model.parameters.v.values (line 33): expected 1 value(s), one per age group, got 2',
      'config/model.yaml: model.parameters.beta (line 31): calculated parameters form a cycle: beta -> k -> beta',
    ]);
  });

  it('requires sampled entries to be covered by the modelset, and modelset names to be sampled', () => {
    expect(withModel((t) => t.replace('    beta: 0.3\n', '    beta: {type: sampled}\n'))).toEqual([
      'config/model.yaml: model.parameters.beta (line 30): parameter "beta" is of type sampled but no modelset sampling or calibration prior gives it values',
    ]);
    const modelset =
      'modelset:\n  population_names: [US-MA, US-XX]\n  sampling:\n    grid:\n      parameters:\n        gamma: [0.1, 0.2]\n';
    expect(withModel((t) => t, { 'config/modelset.yaml': modelset })).toEqual([
      expect.stringMatching(
        /^config\/modelset\.yaml: modelset\.population_names\[1\] \(line 2\): unknown location "US-XX"/,
      ),
      'config/modelset.yaml: modelset.sampling.grid.parameters.gamma (line 6): "gamma" is not a parameter of type sampled in the basemodel: expected one of (none)',
    ]);
  });

  it('sorts files by root key and picks the output config', () => {
    const output = (name: string) =>
      `output:\n  meta: {name: ${name}}\n  quantiles:\n    levels: [0.5]\n`;
    const files = {
      'config/model.yaml': SIR_MODEL,
      'config/a.yaml': output('a'),
      'config/b.yml': output('b'),
    };
    expect(problemsOf(files)).toEqual([
      'config/: 2 output configs (config/a.yaml, config/b.yml): set OUTPUT_CONFIG_FILE to pick one',
    ]);
    expect(loadExperiment(filesOf(files), { outputConfigFile: 'b.yml' }).output.meta).toEqual({
      name: 'b',
    });
    expect(loadExperiment(filesOf(files), { outputConfigFile: 'config/a.yaml' }).outputFile).toBe(
      'config/a.yaml',
    );
    expect(problemsOf(files, { outputConfigFile: 'c.yaml' })).toEqual([
      'OUTPUT_CONFIG_FILE="c.yaml" names no output config: expected one of config/a.yaml, config/b.yml',
    ]);
    expect(problemsOf({ 'config/model.yaml': SIR_MODEL, 'config/x.yaml': 'other: 1\n' })).toEqual([
      'config/x.yaml (line 1): expected exactly one root key, one of model, modelset, output; got other',
    ]);
    expect(problemsOf({ 'config/m.yaml': 'model:\n  name: [unclosed\n' })[0]).toMatch(
      /^config\/m\.yaml \(line \d\): invalid YAML: /,
    );
    expect(problemsOf({})).toEqual([
      'config/: no *.yaml files found: expected at least config/model.yaml with a "model:" root',
    ]);
  });

  it('validates output selections against the model', () => {
    const output = 'output:\n  quantiles:\n    compartments: [S, X]\n    transitions: [S_to_R]\n';
    expect(problemsOf({ 'config/model.yaml': SIR_MODEL, 'config/output.yaml': output })).toEqual([
      'config/output.yaml: output.quantiles.compartments[1] (line 3): unknown compartment "X": expected one of S, I, R',
      'config/output.yaml: output.quantiles.transitions[0] (line 4): unknown transition "S_to_R": expected one of S_to_I, I_to_R',
    ]);
  });

  it('takes output formats from csv and parquet, each once', () => {
    const problems = (formats: string) =>
      problemsOf({
        'config/model.yaml': SIR_MODEL,
        'config/output.yaml': `output:\n  formats: ${formats}\n`,
      });
    expect(problems('[xlsx]')).toEqual([
      'config/output.yaml: output.formats[0] (line 2): Invalid option: expected one of "csv"|"parquet"',
    ]);
    expect(problems('[parquet, parquet]')).toEqual([
      'config/output.yaml: output.formats (line 2): expected each format once',
    ]);
    expect(problems('[]')).toEqual([
      'config/output.yaml: output.formats (line 2): Too small: expected array to have >=1 items',
    ]);
  });

  it('validates the shapes of age-distribution and contact-matrix CSVs', () => {
    const groups = (t: string) =>
      t.replace(
        '    name: US-MA\n',
        '    name: US-MA\n    age_groups: [young, old]\n    age_distribution: data/age.csv\n    contact_matrix: data/c.csv\n',
      );
    expect(
      withModel(groups, {
        'data/age.csv': 'age_group,fraction\nyoung,0.3\nold,0.6\n',
        'data/c.csv': 'g,young,old\nyoung,1,2\nold,1\n',
      }),
    ).toEqual([
      'data/age.csv: fractions sum to 0.8999999999999999, expected 1',
      'data/c.csv (line 3): expected "old" then 2 numbers >= 0, got "old,1"',
    ]);
    expect(
      withModel(groups, { 'data/age.csv': 'age_group,fraction\nyoung,0.3\nold,0.7\n' }),
    ).toEqual([
      'config/model.yaml: model.population.contact_matrix (line 15): file "data/c.csv" not found in the experiment folder',
    ]);
  });
});
