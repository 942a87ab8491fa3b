import { findLocation } from './locations.js';
import { unknownLocation, type Report } from './check-model.js';
import type { ModelConfig, ModelsetConfig } from './schema.js';

type Section = 'grid' | 'latin_hypercube';
type Kind = 'parameters' | 'compartments';

/** What the basemodel declares `sampled`: parameter names and compartment ids. */
function declaredSampled(model: ModelConfig): Record<Kind, string[]> {
  return {
    parameters: Object.entries(model.parameters)
      .filter(([, p]) => p.type === 'sampled')
      .map(([n]) => n),
    compartments: model.compartments.filter((c) => c.init?.kind === 'sampled').map((c) => c.id),
  };
}

/** Names sampled by a modelset (grid or Latin hypercube). */
export function sampledNames(modelset: ModelsetConfig | undefined): Set<string> {
  const s = modelset?.sampling;
  const records = [
    s?.grid?.parameters,
    s?.grid?.compartments,
    s?.latin_hypercube?.parameters,
    s?.latin_hypercube?.compartments,
  ];
  return new Set(records.flatMap((r) => Object.keys(r ?? {})));
}

/** Names given values by the modelset: sampled, or fitted by the calibration. */
function valuedNames(modelset: ModelsetConfig | undefined): Set<string> {
  const priors = modelset?.calibration?.priors;
  return new Set([
    ...sampledNames(modelset),
    ...Object.keys(priors?.parameters ?? {}),
    ...Object.keys(priors?.compartments ?? {}),
  ]);
}

function checkPopulations(report: Report, names: ModelsetConfig['population_names']): void {
  if (!Array.isArray(names)) return;
  names.forEach((code, i) => {
    if (!findLocation(code)) report(['modelset', 'population_names', i], unknownLocation(code));
    if (names.indexOf(code) !== i)
      report(['modelset', 'population_names', i], `duplicate location "${code}"`);
  });
}

function checkSampledNames(report: Report, modelset: ModelsetConfig, model: ModelConfig): void {
  const declared = declaredSampled(model);
  const what = {
    parameters: 'a parameter of type sampled',
    compartments: 'a compartment with init: sampled',
  };
  for (const section of ['grid', 'latin_hypercube'] as const satisfies readonly Section[]) {
    for (const kind of ['parameters', 'compartments'] as const) {
      for (const name of Object.keys(modelset.sampling?.[section]?.[kind] ?? {})) {
        const path = ['modelset', 'sampling', section, kind, name];
        if (!declared[kind].includes(name)) {
          report(
            path,
            `"${name}" is not ${what[kind]} in the basemodel: expected one of ${declared[kind].join(', ') || '(none)'}`,
          );
        } else if (
          section === 'latin_hypercube' &&
          name in (modelset.sampling?.grid?.[kind] ?? {})
        ) {
          report(path, `"${name}" is sampled both by the grid and the Latin hypercube: pick one`);
        }
      }
    }
  }
}

function checkStartDates(report: Report, modelset: ModelsetConfig, model: ModelConfig): void {
  const grid = modelset.sampling?.grid?.start_date;
  const lhs = modelset.sampling?.latin_hypercube?.start_date;
  if (grid && lhs)
    report(
      ['modelset', 'sampling', 'latin_hypercube', 'start_date'],
      'start_date is sampled both by the grid and the Latin hypercube: pick one',
    );
  const end = model.timespan.end_date;
  const late = [...(grid ?? []), ...(lhs ? [lhs.high] : [])].find((d) => d > end);
  if (late)
    report(
      ['modelset', 'sampling'],
      `sampled start_date ${late} is after the model's end_date ${end}`,
    );
}

/** Modelset checks against its basemodel: known populations, sampled names match the model's `sampled` entries. */
export function checkModelset(report: Report, modelset: ModelsetConfig, model: ModelConfig): void {
  checkPopulations(report, modelset.population_names);
  checkSampledNames(report, modelset, model);
  checkStartDates(report, modelset, model);
}

/** Every `sampled` entry of the basemodel must get values from the modelset. */
export function checkSampledCovered(
  report: Report,
  model: ModelConfig,
  modelset: ModelsetConfig | undefined,
): void {
  const sampled = valuedNames(modelset);
  const declared = declaredSampled(model);
  for (const name of declared.parameters.filter((n) => !sampled.has(n))) {
    report(
      ['model', 'parameters', name],
      `parameter "${name}" is of type sampled but no modelset sampling or calibration prior gives it values`,
    );
  }
  model.compartments.forEach((c, i) => {
    if (declared.compartments.includes(c.id) && !sampled.has(c.id)) {
      report(
        ['model', 'compartments', i, 'init'],
        `compartment "${c.id}" has init: sampled but no modelset sampling or calibration prior gives it values`,
      );
    }
  });
}
