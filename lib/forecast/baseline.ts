import { dayNumber, isoDate } from '../engine/dates.js';
import { quantileSorted } from '../engine/quantiles.js';
import { Rng } from '../engine/rng.js';
import { ValidationError } from '../errors.js';
import { QUANTILE_LEVELS } from './hub-rules.js';
import type { TruthPoint } from './target-data.js';
import type { QuantileForecast } from './wis.js';

/** Options of {@link flusightBaseline}; defaults are the hub baseline's. */
export interface BaselineOptions {
  /** Simulated trajectories (epipredict `cdc_baseline_args_list()` default 1e5). */
  readonly nsims?: number;
  /** Keys seeding the shuffles (`Rng`). */
  readonly seed?: readonly number[];
  /** First week used to learn the weekly changes. */
  readonly trainingStart?: string;
  /** Weeks left out of training, both ends included. */
  readonly excluded?: readonly { readonly from: string; readonly to: string }[];
}

/**
 * Training window of the FluSight-baseline for 2024-25 onwards
 * (cdcepi/Flusight-baseline `flusight-baseline.R`): weeks from 2022-08-06
 * (2022 EW31), without the NHSN reporting pause 2024-05-04 .. 2024-11-02.
 */
const FLUSIGHT_BASELINE_TRAINING = {
  start: '2022-08-06',
  excluded: [{ from: '2024-05-04', to: '2024-11-02' }],
} as const;

/**
 * The FluSight-baseline forecast of one location for `referenceDate`, from its
 * observed series, which must include the week ending reference_date - 7 (the
 * last observed week; later weeks are ignored). Method of epipredict's
 * `cdc_baseline_forecaster` / `layer_cdc_flatline_quantiles` as the hub runs
 * it: the one-week changes y(t) - y(t-7) over the training window and their
 * negatives form a symmetric distribution; `nsims` evenly spaced type-7
 * quantiles of it are added to the last value p (truncated at 0) for horizon
 * 0; each later horizon adds a fresh shuffle of them to the previous
 * (untruncated-after-step-1) trajectory, re-centres the median on p and
 * truncates at 0. Horizon -1 is the last value itself. Quantiles at the 23
 * levels are rounded down below the median level and up from it, as the hub's
 * script does. Deterministic for a seed.
 */
export function flusightBaseline(
  history: readonly TruthPoint[],
  referenceDate: string,
  options: BaselineOptions = {},
): Map<number, QuantileForecast> {
  const lastDay = (dayNumber(referenceDate) ?? Number.NaN) - 7;
  const observed = history.filter((point) => (dayNumber(point.date) ?? Infinity) <= lastDay);
  const last = observed.at(-1);
  if (last === undefined || dayNumber(last.date) !== lastDay) {
    throw new ValidationError(
      `Baseline for ${referenceDate}: expected an observation of the week ending ${isoDate(lastDay)}, the last observed one is ${last?.date ?? 'none'}`,
    );
  }
  const p = last.value;
  const samp = evenQuantiles(symmetricChanges(observed, options), options.nsims ?? 100_000);
  const rng = new Rng(...(options.seed ?? [0]));
  const raw = samp.map((x) => Math.max(0, x + p));
  const result = new Map<number, QuantileForecast>([
    [-1, { levels: QUANTILE_LEVELS, values: QUANTILE_LEVELS.map(() => p) }],
  ]);
  result.set(0, roundedQuantiles(Float64Array.from(raw).sort()));
  for (let horizon = 1; horizon <= 3; horizon++) {
    shuffle(samp, rng);
    for (let i = 0; i < raw.length; i++) raw[i] = raw[i]! + samp[i]!;
    const sorted = Float64Array.from(raw).sort();
    const shift = median(sorted) - p;
    result.set(horizon, roundedQuantiles(sorted.map((x) => Math.max(0, x - shift))));
  }
  return result;
}

/** One-week changes between consecutive training weeks, and their negatives. */
function symmetricChanges(observed: readonly TruthPoint[], options: BaselineOptions): number[] {
  const start = dayNumber(options.trainingStart ?? FLUSIGHT_BASELINE_TRAINING.start) ?? -Infinity;
  const excluded = (options.excluded ?? FLUSIGHT_BASELINE_TRAINING.excluded).map(({ from, to }) => [
    dayNumber(from) ?? 0,
    dayNumber(to) ?? 0,
  ]);
  const weeks = new Map<number, number>();
  for (const { date, value } of observed) {
    const day = dayNumber(date) ?? -Infinity;
    if (day >= start && !excluded.some(([from, to]) => day >= from! && day <= to!))
      weeks.set(day, value);
  }
  const changes = [...weeks].flatMap(([day, value]) => {
    const previous = weeks.get(day - 7);
    return previous === undefined ? [] : [value - previous];
  });
  return [...changes, ...changes.map((d) => -d)];
}

/** `n` type-7 quantiles of `values` at levels 0, 1/(n-1), ..., 1 (all zeros when there are no values). */
function evenQuantiles(values: readonly number[], n: number): Float64Array {
  const sorted = Float64Array.from(values).sort();
  return Float64Array.from({ length: n }, (_, i) =>
    sorted.length === 0 ? 0 : quantileSorted(sorted, n === 1 ? 0.5 : i / (n - 1)),
  );
}

/** Fisher-Yates shuffle in place. */
function shuffle(values: Float64Array, rng: Rng): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.integer(i + 1);
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
}

function median(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function roundedQuantiles(sorted: Float64Array): QuantileForecast {
  const values = QUANTILE_LEVELS.map((level) => {
    const q = quantileSorted(sorted, level);
    return level < 0.5 ? Math.floor(q) : Math.ceil(q);
  });
  return { levels: QUANTILE_LEVELS, values };
}
