import { StageError } from '../errors.js';
import type { Rng } from '../engine/rng.js';
import { reportGeneration, type FitTarget, type OnGeneration } from './fit-target.js';
import { effectiveSampleSize, type Posterior } from './posterior.js';
import { samplePrior } from './priors.js';

/** Options of {@link abcRejection}: exactly one of `tolerance` and `topFraction`. */
export interface RejectionOptions {
  readonly simulations: number;
  readonly tolerance?: number | undefined;
  readonly topFraction?: number | undefined;
}

/**
 * ABC rejection (Pritchard et al. 1999; Beaumont et al. 2002's top-fraction
 * form): `simulations` particles drawn from the priors, each simulated once;
 * those within `tolerance`, or the closest `topFraction` of them, are the
 * posterior, equally weighted.
 */
export async function abcRejection(
  target: FitTarget,
  options: RejectionOptions,
  rng: Rng,
  onGeneration?: OnGeneration,
): Promise<Posterior> {
  const { simulations } = options;
  const d = target.priors.length;
  const all = new Float64Array(simulations * d);
  const distances = new Float64Array(simulations);
  for (let a = 0; a < simulations; a++) {
    const values = all.subarray(a * d, (a + 1) * d);
    target.priors.forEach((prior, k) => (values[k] = samplePrior(prior, rng)));
    distances[a] = target.distance(values, 0, a);
  }
  const order = Array.from({ length: simulations }, (_, i) => i).filter((i) =>
    Number.isFinite(distances[i]!),
  );
  order.sort((i, j) => distances[i]! - distances[j]! || i - j);
  const tolerance = options.tolerance;
  const accepted =
    tolerance !== undefined
      ? order.filter((i) => distances[i]! <= tolerance).sort((i, j) => i - j)
      : order
          .slice(0, Math.max(1, Math.round(options.topFraction! * simulations)))
          .sort((i, j) => i - j);
  if (accepted.length === 0) {
    const best =
      order.length > 0 ? distances[order[0]!]!.toPrecision(4) : 'none (every particle was invalid)';
    throw new StageError(
      `ABC rejection accepted no particle out of ${simulations}: the closest distance was ${best}, above tolerance ${tolerance}; raise the tolerance, use top_fraction, or widen the priors`,
    );
  }
  const n = accepted.length;
  const weights = new Float64Array(n).fill(1 / n);
  const summary = {
    generation: 0,
    tolerance:
      tolerance ??
      distances[accepted.reduce((m, i) => (distances[i]! > distances[m]! ? i : m), accepted[0]!)]!,
    accepted: n,
    simulations,
    ess: effectiveSampleSize(weights),
  };
  await reportGeneration(onGeneration, summary);
  return {
    values: accepted.map((i) => Float64Array.from(all.subarray(i * d, (i + 1) * d))),
    weights,
    distances: Float64Array.from(accepted, (i) => distances[i]!),
    streams: accepted.map((i) => [0, i] as const),
    generations: [summary],
    simulations,
  };
}
