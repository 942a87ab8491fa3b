import type { DistanceName } from './distance.js';
import type { FreeQuantity, ObservedSeries, ObservedTarget } from './problem.js';
import type { RejectionOptions } from './rejection.js';
import type { SmcOptions } from './smc.js';

/** The calibration strategy of a task: the options of one algorithm, tagged. */
export type Strategy =
  ({ readonly type: 'rejection' } & RejectionOptions) | ({ readonly type: 'smc' } & SmcOptions);

/** One location's forecast problem: the model (through the last projected week), the data, the priors. */
export interface ForecastTask {
  readonly observed: ObservedSeries;
  readonly target: ObservedTarget;
  readonly free: readonly FreeQuantity[];
  readonly defaultCompartment: string;
  readonly distance: DistanceName;
  readonly strategy: Strategy;
  readonly fitSteps: number;
  readonly samples: number;
}
