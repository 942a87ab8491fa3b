import type { TaskInput, TaskResult } from '../lib/experiment/task.js';

/** What a task computed: weekly (or daily) trajectories, flat `(sim * dates + d) * groups + g`. */
export interface Trajectories {
  readonly nSims: number;
  readonly dates: readonly string[];
  readonly compartments: Readonly<Record<string, Float64Array>>;
  readonly transitions: Readonly<Record<string, Float64Array>>;
}

const plain = (series: Readonly<Record<string, Float64Array>>) =>
  Object.fromEntries(Object.entries(series).map(([k, v]) => [k, Array.from(v)]));

/** The result document of a task: its identity, the input hash it was computed from, and its trajectories. */
export function resultDocument(
  input: TaskInput,
  inputSha256: string,
  trajectories: Trajectories,
  calibration?: TaskResult['calibration'],
): TaskResult {
  return {
    version: 1,
    taskIndex: input.taskIndex,
    inputSha256,
    population: input.population,
    sample: input.sample,
    nSims: trajectories.nSims,
    groups: [...input.model.groups],
    dates: [...trajectories.dates],
    compartments: plain(trajectories.compartments),
    transitions: plain(trajectories.transitions),
    ...(calibration === undefined ? {} : { calibration }),
  };
}
