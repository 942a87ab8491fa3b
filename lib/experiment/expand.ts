import { ConfigError } from '../errors.js';
import { ALL_LOCATIONS, type AgeDistribution } from './csv-data.js';
import { dayNumber, isoDate } from '../engine/dates.js';
import type { ModelSpec } from '../engine/spec.js';
import { apportion } from '../engine/sampling.js';
import { specProblems } from '../engine/spec-problems.js';
import { problemSource } from './check-values.js';
import { findLocation, runLocation, type Location } from './locations.js';
import { derivedParameters, freeParameters, timeParts } from './spec-parts.js';
import { locationCodes } from './load.js';
import { type Experiment } from './experiment.js';
import { buildSamples, type Sample } from './samples.js';
import type { TaskInput } from './task.js';
import { formatPath } from './yaml-source.js';
import { forecastTask, withPriorCentres } from './expand-calibration.js';
import { stepCount } from './plan.js';

/** Initial counts per compartment and group; the `default` compartment takes what is left. */
function resolveInit(
  exp: Experiment,
  sizes: number[],
  sample: Sample,
  location: Location,
): Record<string, number[]> {
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
  init[defaultId] = sizes.map(
    (n, g) => n - Object.values(init).reduce((sum, counts) => sum + counts[g]!, 0),
  );
  const negative = init[defaultId]!.findIndex((v) => v < 0);
  if (negative >= 0) {
    throw new ConfigError('Initial conditions exceed the population', [
      `${exp.files.model}: model.compartments: in ${location.code} (group ${exp.groups[negative]}, size ${sizes[negative]}) the initial counts of the other compartments exceed the group size; expected them to leave a non-negative remainder for "${defaultId}"`,
    ]);
  }
  return init;
}

/** Every rate must evaluate to a finite number >= 0 in every group and time segment (an expression can go negative or divide by zero). */
function checkRates(exp: Experiment, spec: ModelSpec, location: Location, sample: Sample): void {
  const problems = specProblems(spec).map((p) => {
    const { path, text } = problemSource(exp.model, spec, p);
    const when = p.day > spec.startDay ? `, from ${isoDate(p.day)}` : '';
    return `${exp.files.model}: ${formatPath(path)}: "${text}" evaluates to ${p.value} in ${location.code} (group ${exp.groups[p.group]}, sample ${sample.id}${when}); expected ${p.expected}`;
  });
  if (problems.length > 0)
    throw new ConfigError(`A transition rate or parameter is invalid`, problems);
}

/** The age fractions of a location: its own column (by ISO code or FIPS), else the one for every location. */
function ageFractions(dist: AgeDistribution, location: Location): readonly number[] {
  const key = Object.keys(dist).find(
    (k) => k === location.code || findLocation(k)?.code === location.code,
  );
  return dist[key ?? ALL_LOCATIONS]!;
}

function modelSpec(exp: Experiment, location: Location, sample: Sample): ModelSpec {
  const sizes = apportion(location.population, ageFractions(exp.ageDistribution, location));
  const { timespan } = exp.model;
  const startDay = dayNumber(sample.startDate ?? timespan.start_date)!;
  const derived = derivedParameters(exp.model);
  const spec: ModelSpec = {
    compartments: exp.model.compartments.map((c) => c.id),
    groups: exp.groups,
    groupSizes: sizes,
    contact: exp.contact,
    init: resolveInit(exp, sizes, sample, location),
    parameters: freeParameters(exp.model, exp.groups.length, sample.parameters),
    ...(derived.length > 0 ? { derived } : {}),
    transitions: exp.model.transitions.map((t) => ({ ...t, rate: String(t.rate) })),
    startDay,
    dt: timespan.delta_t,
    steps: stepCount(startDay, dayNumber(timespan.end_date)!, timespan.delta_t),
    ...timeParts(exp.model, exp.contactLayers),
  };
  checkRates(exp, spec, location, sample);
  return spec;
}

/** The locations an experiment runs over: the modelset's list (`all` = the 53), else the model's population. */
function experimentLocations(exp: Experiment): Location[] {
  return locationCodes(exp.model, exp.modelset).map((code) =>
    runLocation(exp.model.population, code)!,
  );
}

function sampleValues(sample: Sample): Record<string, number | string> {
  const values: Record<string, number | string> = { ...sample.parameters };
  for (const [id, p] of Object.entries(sample.compartments)) values[`init.${id}`] = p;
  if (sample.startDate !== undefined) values.start_date = sample.startDate;
  return values;
}

/** The ids a task input carries. */
export interface RunIds {
  readonly expId: string;
  readonly runId: string;
}

/**
 * The N self-contained task inputs of an experiment, one at a time (so
 * checking them all keeps one in memory): N = locations x samples,
 * index = location index * samples + sample index. Pure and deterministic.
 */
export function* taskInputs(exp: Experiment, ids: RunIds): Generator<TaskInput> {
  const samples = buildSamples(exp.modelset, exp.model.random_seed);
  const calibration = exp.modelset?.calibration;
  for (const [li, location] of experimentLocations(exp).entries()) {
    for (const [si, sample] of samples.entries()) {
      const task = {
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
      };
      if (calibration === undefined) {
        yield { ...task, model: modelSpec(exp, location, sample) };
      } else {
        const spec = modelSpec(exp, location, withPriorCentres(sample, calibration));
        yield { ...task, ...forecastTask(exp, calibration, location, spec) };
      }
    }
  }
}

/** Every task input of an experiment (see {@link taskInputs}). */
export function buildTaskInputs(exp: Experiment, ids: RunIds): TaskInput[] {
  return [...taskInputs(exp, ids)];
}
