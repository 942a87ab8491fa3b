import type { Prior } from './priors.js';

/** A calibrated quantity: a parameter's value, or the initial proportion of a compartment. */
export interface FreeQuantity {
  readonly kind: 'parameter' | 'compartment';
  readonly name: string;
  readonly prior: Prior;
}

/** The model output compared with the data: a transition (`E_to_I`) or a compartment, summed over groups, weekly. */
export interface ObservedTarget {
  readonly kind: 'transition' | 'compartment';
  readonly name: string;
  /** Parameter whose value is the reporting fraction: simulated counts are thinned binomially by it. */
  readonly reportingFraction?: string | undefined;
}

/** The data a task fits: weekly values labelled by the Saturday ending the week. */
export interface ObservedSeries {
  readonly dates: readonly string[];
  readonly values: readonly number[];
}

/** Names of the free quantities as they appear in outputs: `R0`, `init.I`. */
export function freeName(q: FreeQuantity): string {
  return q.kind === 'parameter' ? q.name : `init.${q.name}`;
}
