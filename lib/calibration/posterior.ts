/** One generation of a calibration, for progress lines and the result. */
export interface GenerationSummary {
  readonly generation: number;
  /** Largest accepted distance allowed; Infinity for a generation drawn from the prior. */
  readonly tolerance: number;
  readonly accepted: number;
  readonly simulations: number;
  /** Effective sample size of the weights, 1 / sum(w^2). */
  readonly ess: number;
}

/** Accepted particles with normalised weights, and where each particle's simulation stream is. */
export interface Posterior {
  /** Particle values, `[particle][quantity]`. */
  readonly values: readonly Float64Array[];
  readonly weights: Float64Array;
  readonly distances: Float64Array;
  /** (generation, attempt) of the simulation each particle was accepted with. */
  readonly streams: readonly (readonly [number, number])[];
  readonly generations: readonly GenerationSummary[];
  readonly simulations: number;
}

/** Effective sample size of normalised weights. */
export function effectiveSampleSize(weights: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]! ** 2;
  return sum > 0 ? 1 / sum : 0;
}

/** Weights scaled to sum to 1. */
export function normalise(weights: Float64Array): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** Systematic resampling: `n` particle indexes drawn in proportion to the weights with one uniform `u` in [0, 1). */
export function systematicResample(weights: ArrayLike<number>, n: number, u: number): Int32Array {
  const out = new Int32Array(n);
  let cumulative = weights[0]!;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const target = (i + u) / n;
    while (target > cumulative && j < weights.length - 1) cumulative += weights[++j]!;
    out[i] = j;
  }
  return out;
}
