import { dayNumber } from '../engine/dates.js';
import { pairName } from '../engine/model.js';
import { binSteps } from '../engine/resample.js';
import { MAX_RESULT_BYTES_PER_TASK, MAX_STEPS_PER_TASK, MAX_TASKS } from './bounds.js';
import type { Report } from './check-model.js';
import { DEFAULT_PROJECTION_SAMPLES } from './calibration-schema.js';
import type { ModelConfig, ModelsetConfig } from './schema.js';

/** What a run of an experiment would cost, computed from its configs alone (no task is built). */
export interface ExperimentPlan {
  /** N = locations x samples per location. */
  readonly tasks: number;
  readonly locations: number;
  readonly samplesPerLocation: number;
  /** Simulation steps of the longest task (the earliest start date). */
  readonly stepsPerTask: number;
  /** Simulations a task runs: n_sims, or for a forecast its fitting budget plus its projected samples. */
  readonly simulationsPerTask: number;
  /** Trajectories a task's result holds: n_sims, or a forecast's projected samples. */
  readonly trajectoriesPerTask: number;
  /** Rows of a trajectory after resampling (weeks for a forecast); 0 when the steps exceed their bound. */
  readonly datesPerTask: number;
  /** Compartments plus transitions (source-target pairs), each reported per age group. */
  readonly series: number;
  readonly groups: number;
  /** Estimated bytes of one task's result: trajectories x dates x series x groups x 8. */
  readonly resultBytesPerTask: number;
}

/** Steps that start from `startDay` until `endDay` inclusive, every `dt` days: floor((end - start) / dt) + 1. */
export function stepCount(startDay: number, endDay: number, dt: number): number {
  return Math.floor((endDay - startDay) / dt + 1e-9) + 1;
}

function samplesPerLocation(modelset: ModelsetConfig | undefined): number {
  const grid = modelset?.sampling?.grid;
  const axes = [
    ...Object.values(grid?.parameters ?? {}),
    ...Object.values(grid?.compartments ?? {}),
    ...(grid?.start_date ? [grid.start_date] : []),
  ];
  return axes.reduce(
    (n, values) => n * values.length,
    modelset?.sampling?.latin_hypercube?.n_samples ?? 1,
  );
}

/** The earliest start date any sample can have (grid dates win over hypercube dates, as in buildSamples). */
function earliestStart(model: ModelConfig, modelset: ModelsetConfig | undefined): string {
  const sampling = modelset?.sampling;
  const lhs = sampling?.latin_hypercube?.start_date;
  const dates = sampling?.grid?.start_date ?? (lhs ? [lhs.low] : [model.timespan.start_date]);
  return dates.reduce((a, b) => (a < b ? a : b));
}

function simulationsPerTask(
  model: ModelConfig,
  calibration: ModelsetConfig['calibration'],
  trajectories: number,
): number {
  if (calibration === undefined) return model.simulation.n_sims;
  const s = calibration.strategy;
  return (s.type === 'rejection' ? s.simulations : s.max_simulations) + trajectories;
}

/** The last day a task simulates: the timespan's end, or a forecast's last horizon. */
function lastDay(
  model: ModelConfig,
  calibration: ModelsetConfig['calibration'],
): number | undefined {
  if (calibration === undefined) return dayNumber(model.timespan.end_date);
  const reference = dayNumber(calibration.reference_date);
  return reference === undefined ? undefined : reference + 7 * calibration.projection.horizon_weeks;
}

/**
 * The plan of a structurally valid experiment over `locations` locations and
 * `groups` age groups: tasks, steps, dates and the estimated result size per
 * task, by arithmetic over the configs (cheap for any N: no task is built).
 * Undefined when a date it needs is invalid (reported elsewhere).
 */
export function planExperiment(
  model: ModelConfig,
  modelset: ModelsetConfig | undefined,
  { locations, groups }: { readonly locations: number; readonly groups: number },
): ExperimentPlan | undefined {
  const calibration = modelset?.calibration;
  const startDay = dayNumber(earliestStart(model, modelset));
  const endDay = lastDay(model, calibration);
  if (startDay === undefined || endDay === undefined) return undefined;
  const samples = samplesPerLocation(modelset);
  const stepsPerTask = Math.max(1, stepCount(startDay, endDay, model.timespan.delta_t));
  const dates =
    stepsPerTask > MAX_STEPS_PER_TASK
      ? 0
      : binSteps(
          startDay,
          model.timespan.delta_t,
          stepsPerTask,
          calibration ? 'weekly' : model.simulation.resample,
        ).labels.length;
  const trajectories = calibration
    ? (calibration.projection.samples ?? DEFAULT_PROJECTION_SAMPLES)
    : model.simulation.n_sims;
  const series =
    model.compartments.length +
    new Set(model.transitions.map((t) => pairName(t.source, t.target))).size;
  return {
    tasks: locations * samples,
    locations,
    samplesPerLocation: samples,
    stepsPerTask,
    simulationsPerTask: simulationsPerTask(model, calibration, trajectories),
    trajectoriesPerTask: trajectories,
    datesPerTask: dates,
    series,
    groups,
    resultBytesPerTask: trajectories * dates * series * groups * 8,
  };
}

const count = (n: number): string => n.toLocaleString('en-US');

/** `1.5 GiB`, `820 MiB`, `12 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** One line of what a run would cost, e.g. for `--dry-run`. */
export function describePlan(plan: ExperimentPlan): string {
  return (
    `${count(plan.tasks)} task(s) (${count(plan.locations)} location(s) x ${count(plan.samplesPerLocation)} sample(s)), ` +
    `each up to ${count(plan.simulationsPerTask)} simulation(s) of ${count(plan.stepsPerTask)} step(s); ` +
    `results about ${formatBytes(plan.resultBytesPerTask)} per task, ${formatBytes(plan.resultBytesPerTask * plan.tasks)} in all`
  );
}

/** Where each bound is reported: the basemodel and the modelset (when there is one). */
export interface PlanReports {
  readonly model: Report;
  readonly modelset?: Report | undefined;
}

/** Reports every bound of docs/EXPERIMENTS.md "Limits" that the plan exceeds, naming the bound and the value. */
export function checkPlan(
  reports: PlanReports,
  plan: ExperimentPlan,
  model: ModelConfig,
  calibrated: boolean,
): void {
  if (plan.tasks > MAX_TASKS) {
    (reports.modelset ?? reports.model)(
      reports.modelset ? ['modelset'] : ['model'],
      `the run would have ${count(plan.tasks)} tasks (${count(plan.locations)} location(s) x ${count(plan.samplesPerLocation)} sample(s)): ` +
        `expected at most ${count(MAX_TASKS)} (MAX_TASKS); sample fewer points or split the experiment`,
    );
  }
  if (plan.stepsPerTask > MAX_STEPS_PER_TASK) {
    reports.model(
      ['model', 'timespan', 'delta_t'],
      `a task would simulate ${count(plan.stepsPerTask)} steps of ${model.timespan.delta_t} day(s): ` +
        `expected at most ${count(MAX_STEPS_PER_TASK)} (MAX_STEPS_PER_TASK); use a larger delta_t or a shorter timespan`,
    );
  }
  if (plan.resultBytesPerTask > MAX_RESULT_BYTES_PER_TASK) {
    const [report, path] =
      calibrated && reports.modelset
        ? [reports.modelset, ['modelset', 'calibration', 'projection', 'samples']]
        : [reports.model, ['model', 'simulation', 'n_sims']];
    report(
      path,
      `a task's result would hold about ${formatBytes(plan.resultBytesPerTask)} (${count(plan.trajectoriesPerTask)} trajectories x ` +
        `${count(plan.datesPerTask)} dates x ${plan.series} series x ${plan.groups} group(s) x 8 bytes): expected at most ` +
        `${formatBytes(MAX_RESULT_BYTES_PER_TASK)} (MAX_RESULT_BYTES_PER_TASK); use fewer trajectories, a coarser resample or a shorter timespan`,
    );
  }
}
