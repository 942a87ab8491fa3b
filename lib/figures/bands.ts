import { quantileSorted } from '../engine/quantiles.js';

/** The quantile levels a fan draws: 95%, 80% and 50% intervals and the median. */
export const FAN_LEVELS = [0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975] as const;

/** One date of a fan: its panel (a location), and the levels of {@link FAN_LEVELS}. */
export interface FanPoint {
  readonly panel: string;
  readonly date: string;
  readonly q025: number;
  readonly q10: number;
  readonly q25: number;
  readonly q50: number;
  readonly q75: number;
  readonly q90: number;
  readonly q975: number;
}

/** The fan of one date from its samples (type 7 quantiles; sorts `samples` in place). */
export function fanPoint(panel: string, date: string, samples: Float64Array): FanPoint {
  samples.sort();
  const [q025, q10, q25, q50, q75, q90, q975] = FAN_LEVELS.map((l) => quantileSorted(samples, l));
  return {
    panel,
    date,
    q025: q025!,
    q10: q10!,
    q25: q25!,
    q50: q50!,
    q75: q75!,
    q90: q90!,
    q975: q975!,
  };
}

/**
 * The fan of a flat `[sim][date]` series over `dates`: one point per date,
 * over `nSims` simulations. Only the fan is kept, never the trajectories.
 */
export function fanOfSeries(
  panel: string,
  dates: readonly string[],
  series: ArrayLike<number>,
  nSims: number,
): FanPoint[] {
  const D = dates.length;
  const samples = new Float64Array(nSims);
  return dates.map((date, d) => {
    for (let s = 0; s < nSims; s++) samples[s] = series[s * D + d]!;
    return fanPoint(panel, date, samples);
  });
}
