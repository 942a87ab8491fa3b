import { describe, expect, it } from 'vitest';
import { compileModel } from '../../../lib/engine/model.js';
import { buildTaskInputs } from '../../../lib/experiment/expand.js';
import { loadExperiment } from '../../../lib/experiment/load.js';
import { findLocation } from '../../../lib/experiment/locations.js';
import { taskInputSchema } from '../../../lib/experiment/task.js';
import { filesOf, problemsOf, SIR_MODEL, withModel } from './fixtures.js';

const ids = { expId: 'e', runId: 'r' };

/** SIR_MODEL (31 days from 2024-01-01) with extra top-level model keys appended. */
const appended = (yaml: string) => `${SIR_MODEL}${yaml}`;

const LAYERS = {
  'data/home.csv': ',young,old\nyoung,1,1\nold,1,1\n',
  'data/school.csv': ',young,old\nyoung,5,0\nold,0,1\n',
  'data/age.csv': 'age_group,fraction\nyoung,0.4\nold,0.6\n',
};
const layered = (yaml = '') =>
  appended(yaml).replace(
    '    name: US-MA\n',
    '    name: US-MA\n    age_groups: [young, old]\n    age_distribution: data/age.csv\n    contact_layers: {home: data/home.csv, school: data/school.csv}\n',
  );

describe('time-varying model keys', () => {
  it('carry overrides, seasonality, layers and interventions into the task input, for the engine to resolve', () => {
    const model = layered(`  overrides:
    - {parameter: beta, start_date: 2024-01-05, end_date: 2024-01-10, value: beta * 0.5}
  seasonality: {amplitude: 0.2, peak_date: 2024-01-15}
  interventions:
    - {layer: school, start_date: 2024-01-08, end_date: 2024-01-20, reduction_factor: 0.3}
`);
    const [task] = buildTaskInputs(
      loadExperiment(filesOf({ 'config/model.yaml': model, ...LAYERS })),
      ids,
    );
    const spec = taskInputSchema.parse(JSON.parse(JSON.stringify(task))).model; // what Stage B reads
    const jan = (d: number) => 19723 + d - 1;
    expect(spec.overrides).toEqual([
      { parameter: 'beta', startDay: jan(5), endDay: jan(10), value: 'beta * 0.5' },
    ]);
    expect(spec.seasonality).toEqual({ amplitude: 0.2, peakDay: jan(15), periodDays: 365.25 });
    expect(spec.interventions).toEqual([
      { layer: 'school', startDay: jan(8), endDay: jan(20), reductionFactor: 0.3 },
    ]);
    expect(spec.contact).toEqual([
      [6, 1],
      [1, 2],
    ]);
    const compiled = compileModel(spec);
    expect(Array.from(compiled.segmentContacts[compiled.stepSegment![9]!]!)).toEqual([
      2.5, 1, 1, 1.3,
    ]);
    expect(compiled.forcing![14]).toBeCloseTo(1.2, 12);
  });

  it('reports bad overrides, seasonality and interventions with file, path and line', () => {
    const problems = withModel(() =>
      appended(`  overrides:
    - {parameter: betta, start_date: 2024-01-05, end_date: 2024-01-10, value: 0.1}
    - {parameter: beta, start_date: 2024-01-12, end_date: 2024-01-10, value: 0.1}
    - {parameter: gamma, start_date: 2024-01-05, end_date: 2024-01-10, value: gama * 2}
    - {parameter: gamma, start_date: 2024-01-08, end_date: 2024-01-12, value: 0.2}
    - {parameter: beta, start_date: 2025-01-01, end_date: 2025-01-02, value: 0.1}
  seasonality: {amplitude: amp, peak_date: 2024-01-15}
  interventions:
    - {layer: school, start_date: 2024-01-08, end_date: 2024-01-20, reduction_factor: 0.3}
`),
    );
    expect(problems).toEqual([
      'config/model.yaml: model.overrides[0].parameter (line 35): unknown parameter "betta": expected one of beta, gamma',
      'config/model.yaml: model.overrides[1].end_date (line 36): end_date 2024-01-10 is before start_date 2024-01-12',
      'config/model.yaml: model.overrides[2].value (line 37): unknown parameter "gama" in "gama * 2": expected one of beta, gamma',
      'config/model.yaml: model.overrides[3] (line 38): overlaps overrides[2] of "gamma" (2024-01-05..2024-01-10): expected disjoint windows',
      'config/model.yaml: model.overrides[4] (line 39): 2025-01-01..2025-01-02 is outside the timespan 2024-01-01..2024-01-31: it would never apply',
      'config/model.yaml: model.seasonality.amplitude (line 40): unknown parameter "amp": expected a number in [0, 1) or one of beta, gamma',
      'config/model.yaml: model.interventions[0].layer (line 42): unknown contact layer "school": expected population.contact_layers to be defined',
    ]);
    expect(
      withModel(() => appended('  seasonality: {amplitude: 1.5, peak_date: 2024-13-01}\n')),
    ).toEqual([
      'config/model.yaml: model.seasonality.amplitude (line 34): expected a number in [0, 1) or a parameter name',
      'config/model.yaml: model.seasonality.peak_date (line 34): expected a real calendar date YYYY-MM-DD',
    ]);
  });

  it('reports a rate, calculated parameter or override that evaluates to NaN or Infinity before anything runs', () => {
    const problems = withModel(() =>
      appended(`  overrides:
    - {parameter: gamma, start_date: 2024-01-05, end_date: 2024-01-10, value: 0}
`)
        .replace('rate: gamma', 'rate: 1 / gamma')
        .replace('    beta: 0.3\n', '    beta: {type: calculated, expression: (0 - 2) ** 0.5}\n'),
    );
    expect(problems).toEqual([
      'config/model.yaml: model.parameters.beta.expression (line 30): "(0 - 2) ** 0.5" evaluates to NaN in group 0: expected a finite value',
      'config/model.yaml: model.transitions[0].rate (line 24): "beta" evaluates to NaN in group 0: expected a finite rate >= 0',
      'config/model.yaml: model.transitions[1].rate (line 28): "1 / gamma" evaluates to Infinity in group 0 from 2024-01-05: expected a finite rate >= 0',
    ]);
  });

  it('keeps contact_matrix and contact_layers exclusive and checks each layer CSV', () => {
    const both = layered().replace(
      '    contact_layers:',
      '    contact_matrix: data/home.csv\n    contact_layers:',
    );
    expect(problemsOf({ 'config/model.yaml': both, ...LAYERS })).toEqual([
      'config/model.yaml: model.population.contact_layers (line 16): contact_matrix and contact_layers are mutually exclusive: keep one',
    ]);
    expect(
      problemsOf({
        'config/model.yaml': layered(),
        ...LAYERS,
        'data/school.csv': ',young,old\nyoung,5,x\nold,0,1\n',
      }),
    ).toEqual(['data/school.csv (line 2): expected "young" then 2 numbers >= 0, got "young,5,x"']);
    expect(
      problemsOf({
        'config/model.yaml': layered(),
        'data/age.csv': LAYERS['data/age.csv'],
        'data/home.csv': LAYERS['data/home.csv'],
      }),
    ).toEqual([
      'config/model.yaml: model.population.contact_layers.school (line 15): file "data/school.csv" not found in the experiment folder',
    ]);
  });
});

describe('populations', () => {
  it('finds the 53 locations by ISO code and by FIPS', () => {
    expect(findLocation('25')).toBe(findLocation('US-MA'));
    expect(findLocation('US')!.fips).toBe('US');
    expect(findLocation('72')!.code).toBe('US-PR');
    expect(findLocation('06')!.name).toBe('California');
    expect(findLocation('6')).toBeUndefined();
    const [task] = buildTaskInputs(
      loadExperiment(
        filesOf({ 'config/model.yaml': SIR_MODEL.replace('name: US-MA', 'name: "25"') }),
      ),
      ids,
    );
    expect(task!.population).toEqual({
      code: 'US-MA',
      name: 'Massachusetts',
      size: findLocation('US-MA')!.population,
    });
  });

  it('runs a custom population of a given size, and overrides the size of a known one', () => {
    const custom = SIR_MODEL.replace('    name: US-MA\n', '    name: my-town\n    size: 250000\n');
    const [task] = buildTaskInputs(loadExperiment(filesOf({ 'config/model.yaml': custom })), ids);
    expect(task!.population).toEqual({ code: 'my-town', name: 'my-town', size: 250000 });
    expect(task!.model.init.S).toEqual([250000 - 10]);
    const resized = SIR_MODEL.replace('    name: US-MA\n', '    name: US-MA\n    size: 1000\n');
    const [small] = buildTaskInputs(loadExperiment(filesOf({ 'config/model.yaml': resized })), ids);
    expect(small!.population).toEqual({ code: 'US-MA', name: 'Massachusetts', size: 1000 });
    expect(withModel((t) => t.replace('name: US-MA', 'name: my-town'))).toEqual([
      expect.stringMatching(
        /^config\/model\.yaml: model\.population\.name \(line 12\): unknown location "my-town": expected US or an ISO 3166-2 code such as US-MA, or a FIPS code such as 25 .*; or give population\.size for a custom population$/,
      ),
    ]);
  });

  it('matches per-location age columns given by FIPS', () => {
    const model = SIR_MODEL.replace(
      '    name: US-MA\n',
      '    name: "25"\n    age_groups: [young, old]\n    age_distribution: data/age.csv\n    contact_matrix: data/c.csv\n',
    );
    const files = {
      'config/model.yaml': model,
      'data/age.csv': 'age_group,25\nyoung,0.5\nold,0.5\n',
      'data/c.csv': LAYERS['data/home.csv'],
    };
    const [task] = buildTaskInputs(loadExperiment(filesOf(files)), ids);
    expect(task!.model.groupSizes).toEqual([3568086, 3568085]);
  });
});
