import { isoDate, isoDateTime, saturdayOnOrAfter } from './dates.js';

/** How steps are reported: every step, one row per day, or one per week ending Saturday. */
export const RESAMPLE_MODES = ['none', 'daily', 'weekly'] as const;
/** A resample mode. */
export type ResampleMode = (typeof RESAMPLE_MODES)[number];

/** Which output row (bin) each step falls in, and the row labels. */
export interface Binning {
  /** Bin index of each step. */
  readonly binOf: Int32Array;
  /** Row labels: ISO dates (the Saturday for weekly bins), or date-times for `none` with sub-daily steps. */
  readonly labels: readonly string[];
}

/**
 * Bins steps that start at `startDay + t*dt` (t = 0..steps-1). A compartment
 * row takes the state at the end of the bin's LAST step; a transition row sums
 * the bin's steps. Weekly bins are labelled by the Saturday ending the week;
 * partial first and last weeks are kept.
 */
export function binSteps(startDay: number, dt: number, steps: number, mode: ResampleMode): Binning {
  const binOf = new Int32Array(steps);
  const labels: string[] = [];
  const wholeDays = Number.isInteger(dt) && Number.isInteger(startDay);
  let lastKey = Number.NaN;
  for (let t = 0; t < steps; t++) {
    const time = startDay + t * dt + 1e-9; // guard floor() against 2.9999999 from float steps
    const key = mode === 'none' ? t : mode === 'daily' ? Math.floor(time) : saturdayOnOrAfter(time);
    if (key !== lastKey) {
      labels.push(
        mode === 'none' && !wholeDays ? isoDateTime(time) : isoDate(mode === 'none' ? time : key),
      );
      lastKey = key;
    }
    binOf[t] = labels.length - 1;
  }
  return { binOf, labels };
}

/**
 * Aggregates per-step series (`[step][width]`) into bins (`[bin][width]`):
 * `last` keeps the final step's values (compartments), `sum` adds them (transitions).
 */
export function aggregate(
  series: Float64Array,
  width: number,
  binning: Binning,
  how: 'last' | 'sum',
  out: Float64Array = new Float64Array(binning.labels.length * width),
): Float64Array {
  out.fill(0);
  const { binOf } = binning;
  for (let t = 0; t < binOf.length; t++) {
    const base = binOf[t]! * width;
    const from = t * width;
    if (how === 'sum') for (let k = 0; k < width; k++) out[base + k]! += series[from + k]!;
    else for (let k = 0; k < width; k++) out[base + k] = series[from + k]!;
  }
  return out;
}
