import { ConfigError } from '../errors.js';
import { ALL_LOCATIONS } from './csv-data.js';
import { dayNumber } from '../engine/dates.js';
import { evaluateExpression, parseExpression } from '../engine/expression.js';
import { transitionRates, type ModelSpec } from '../engine/model.js';
import { apportion } from '../engine/sampling.js';
import { findLocation, type Location } from './locations.js';
import { locationCodes, type Experiment } from './load.js';
import { buildSamples, type Sample } from './samples.js';
import type { TaskInput } from './task.js';

/** Per-group parameter values: scalars broadcast, sampled values filled in, calculated ones evaluated in dependency order. */
function resolveParameters(exp: Experiment, sample: Sample): Record<string, number[]> {
  const G = exp.groups.length;
  const out: Record<string, number[]> = {};
  const pending = new Map<string, ReturnType<typeof parseExpression>>();
  for (const [name, p] of Object.entries(exp.model.parameters)) {
    if (p.type === 'scalar') out[name] = Array<number>(G).fill(p.value);
    else if (p.type === 'age_varying') out[name] = [...p.values];
    else if (p.type === 'sampled') out[name] = Array<number>(G).fill(sample.parameters[name]!);
    else pending.set(name, parseExpression(p.expression));
  }
  while (pending.size > 0) {
    for (const [name, expr] of pending) {
      try {
        out[name] = exp.groups.map((_, g) =>
          evaluateExpression(expr, (n) => {
            const v = out[n]?.[g];
            if (v === undefined) throw new Error('not yet');
            return v;
          }),
        );
        pending.delete(name);
      } catch {
        // depends on a calculated parameter not evaluated yet (cycles are rejected by validation)
      }
    }
  }
  return out;
}

/** Initial counts per compartment and group; the `default` compartment takes what is left. */
function resolveInit(exp: Experiment, sizes: number[], sample: Sample, location: Location): Record<string, number[]> {
  const init: Record<string, number[]> = {};
  let defaultId = '';
  for (const c of exp.model.compartments) {
    const spec = c.init ?? { kind: 'count', value: 0 };
    if (spec.kind === 'default') defaultId = c.id;
    else if (spec.kind === 'count') init[c.id] = apportion(spec.value, sizes);
    else if (spec.kind === 'per_group') init[c.id] = [...spec.values];
    else {
      const p = spec.kind === 'proportion' ? spec.value : sample.compartments[c.id]!;
      init[c.id] = sizes.map((n) => Math.round(p * n));
    }
  }
  init[defaultId] = sizes.map((n, g) => n - Object.values(init).reduce((sum, counts) => sum + counts[g]!, 0));
  const negative = init[defaultId]!.findIndex((v) => v < 0);
  if (negative >= 0) {
    throw new ConfigError('Initial conditions exceed the population', [
      `${exp.files.model}: model.compartments: in ${location.code} (group ${exp.groups[negative]}, size ${sizes[negative]}) the initial counts of the other compartments exceed the group size; expected them to leave a non-negative remainder for "${defaultId}"`,
    ]);
  }
  return init;
}

/** Every rate must evaluate to a finite number >= 0 in every group (an expression can go negative or divide by zero). */
function checkRates(exp: Experiment, spec: ModelSpec, location: Location, sample: Sample): void {
  spec.transitions.forEach((t, i) => {
    const rates = transitionRates(spec, t);
    const bad = rates.findIndex((r) => !Number.isFinite(r) || r < 0);
    if (bad < 0) return;
    throw new ConfigError('A transition rate is invalid', [
      `${exp.files.model}: model.transitions[${i}].rate: "${t.rate}" evaluates to ${rates[bad]} in ${location.code} (group ${exp.groups[bad]}, sample ${sample.id}); expected a finite rate >= 0`,
    ]);
  });
}

function modelSpec(exp: Experiment, location: Location, sample: Sample): ModelSpec {
  const sizes = apportion(location.population, exp.ageDistribution[location.code] ?? exp.ageDistribution[ALL_LOCATIONS]!);
  const { timespan } = exp.model;
  const startDay = dayNumber(sample.startDate ?? timespan.start_date)!;
  const spec: ModelSpec = {
    compartments: exp.model.compartments.map((c) => c.id),
    groups: exp.groups,
    groupSizes: sizes,
    contact: exp.contact,
    init: resolveInit(exp, sizes, sample, location),
    parameters: resolveParameters(exp, sample),
    transitions: exp.model.transitions.map((t) => ({ ...t, rate: String(t.rate) })),
    startDay,
    dt: timespan.delta_t,
    steps: Math.floor((dayNumber(timespan.end_date)! - startDay) / timespan.delta_t + 1e-9) + 1,
  };
  checkRates(exp, spec, location, sample);
  return spec;
}

/** The locations an experiment runs over: the modelset's list (`all` = the 53), else the model's population. */
export function experimentLocations(exp: Experiment): Location[] {
  return locationCodes(exp.model, exp.modelset).map((code) => findLocation(code)!);
}

function sampleValues(sample: Sample): Record<string, number | string> {
  const values: Record<string, number | string> = { ...sample.parameters };
  for (const [id, p] of Object.entries(sample.compartments)) values[`init.${id}`] = p;
  if (sample.startDate !== undefined) values.start_date = sample.startDate;
  return values;
}

/**
 * The N self-contained task inputs of an experiment: N = locations x samples,
 * index = location index * samples + sample index. Pure and deterministic.
 */
export function buildTaskInputs(exp: Experiment, ids: { readonly expId: string; readonly runId: string }): TaskInput[] {
  const samples = buildSamples(exp.modelset, exp.model.random_seed);
  return experimentLocations(exp).flatMap((location, li) =>
    samples.map((sample, si) => ({
      version: 1 as const,
      expId: ids.expId,
      runId: ids.runId,
      taskIndex: li * samples.length + si,
      modelName: exp.model.name,
      population: { code: location.code, name: location.name, size: location.population },
      sample: { id: sample.id, values: sampleValues(sample) },
      randomSeed: exp.model.random_seed,
      nSims: exp.model.simulation.n_sims,
      resample: exp.model.simulation.resample,
      model: modelSpec(exp, location, sample),
    })),
  );
}
