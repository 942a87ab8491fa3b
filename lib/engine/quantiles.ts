/** The 23 FluSight quantile levels. */
export const FLUSIGHT_QUANTILES: readonly number[] = [
  0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75,
  0.8, 0.85, 0.9, 0.95, 0.975, 0.99,
];

/**
 * Quantile of SORTED values by linear interpolation between order statistics
 * (Hyndman and Fan type 7, numpy's default): h = (n - 1) * level.
 */
export function quantileSorted(sorted: ArrayLike<number>, level: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * level;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  return a + (h - lo) * (sorted[hi]! - a);
}

/** Quantiles of unsorted values at each level (type 7); sorts a copy. */
export function quantiles(values: ArrayLike<number>, levels: readonly number[]): number[] {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return levels.map((level) => quantileSorted(sorted, level));
}
