import { quantiles } from '../engine/quantiles.js';
import type { Rng } from '../engine/rng.js';
import { reportGeneration, type FitTarget, type OnGeneration } from './fit-target.js';
import { PerturbationKernel, type KernelName } from './kernel.js';
import {
  effectiveSampleSize,
  normalise,
  systematicResample,
  type GenerationSummary,
  type Posterior,
} from './posterior.js';
import { samplePrior } from './priors.js';
import { fromWorking, toWorking, workingLogDensity } from './transform.js';

/** Options of {@link abcSmc}. */
export interface SmcOptions {
  readonly particles: number;
  readonly generations: number;
  /** Next tolerance = this quantile of the accepted distances. */
  readonly toleranceQuantile: number;
  readonly minTolerance: number;
  readonly kernel: KernelName;
  /** Simulations over all generations; a generation that would exceed it is abandoned and the last whole one returned. */
  readonly maxSimulations: number;
}

/** A generation on the working scale. */
interface Population {
  readonly working: Float64Array[];
  readonly weights: Float64Array;
  readonly distances: Float64Array;
  readonly streams: (readonly [number, number])[];
  readonly summary: GenerationSummary;
}

function logSumExp(values: Float64Array): number {
  const max = values.reduce((a, b) => Math.max(a, b), -Infinity);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

/** Generation 0: particles from the priors, each simulated once; every finite one is kept, equally weighted. */
function fromPriors(target: FitTarget, options: SmcOptions, rng: Rng): Population {
  const working: Float64Array[] = [];
  const distances: number[] = [];
  const streams: [number, number][] = [];
  let attempt = 0;
  while (working.length < options.particles && attempt < options.maxSimulations) {
    const values = Float64Array.from(target.priors, (prior) => samplePrior(prior, rng));
    const d = target.distance(values, 0, attempt);
    if (Number.isFinite(d)) {
      working.push(Float64Array.from(values, (v, k) => toWorking(target.priors[k]!, v)));
      distances.push(d);
      streams.push([0, attempt]);
    }
    attempt++;
  }
  const weights = new Float64Array(working.length).fill(1 / Math.max(1, working.length));
  const summary = {
    generation: 0,
    tolerance: Infinity,
    accepted: working.length,
    simulations: attempt,
    ess: working.length,
  };
  return { working, weights, distances: Float64Array.from(distances), streams, summary };
}

/** One SMC generation at `tolerance`; undefined when the simulation budget runs out first. */
function nextGeneration(
  target: FitTarget,
  previous: Population,
  generation: number,
  tolerance: number,
  options: SmcOptions,
  rng: Rng,
  budget: number,
): Population | undefined {
  const kernel = new PerturbationKernel(previous.working, previous.weights, options.kernel);
  const logPrevWeights = previous.weights.map(Math.log);
  const working: Float64Array[] = [];
  const logWeights: number[] = [];
  const distances: number[] = [];
  const streams: [number, number][] = [];
  let simulations = 0;
  while (working.length < options.particles) {
    if (simulations >= budget) return undefined;
    const centre = previous.working[systematicResample(previous.weights, 1, rng.uniform())[0]!]!;
    const proposal = kernel.perturb(centre, rng);
    const logPrior = target.priors.reduce(
      (sum, prior, k) => sum + workingLogDensity(prior, proposal[k]!),
      0,
    );
    if (logPrior === -Infinity) continue;
    const values = Float64Array.from(proposal, (u, k) => fromWorking(target.priors[k]!, u));
    const attempt = simulations++;
    const d = target.distance(values, generation, attempt);
    if (!(d <= tolerance)) continue;
    streams.push([generation, attempt]);
    const logKernel = logPrevWeights.map(
      (lw, j) => lw + kernel.logDensity(proposal, previous.working[j]!),
    );
    working.push(proposal);
    distances.push(d);
    logWeights.push(logPrior - logSumExp(logKernel));
  }
  const maxLog = Math.max(...logWeights);
  const weights = normalise(Float64Array.from(logWeights, (lw) => Math.exp(lw - maxLog)));
  const summary = {
    generation,
    tolerance,
    accepted: working.length,
    simulations,
    ess: effectiveSampleSize(weights),
  };
  return { working, weights, distances: Float64Array.from(distances), streams, summary };
}

/**
 * ABC-SMC (Toni et al. 2009; Beaumont et al. 2009) with an adaptive tolerance
 * schedule (Del Moral et al. 2012; as epydemix and pyabc): generation 0 draws
 * from the priors; each next tolerance is a quantile of the last generation's
 * distances; particles are resampled by weight, perturbed by a Gaussian kernel
 * on the working scale, kept when within the tolerance, and weighted by
 * prior / sum_j w_j K(theta | theta_j). Stops after `generations`, at
 * `minTolerance`, or when the simulation budget would be exceeded.
 */
export async function abcSmc(
  target: FitTarget,
  options: SmcOptions,
  rng: Rng,
  onGeneration?: OnGeneration,
): Promise<Posterior> {
  let population = fromPriors(target, options, rng);
  const summaries = [population.summary];
  await reportGeneration(onGeneration, population.summary);
  let simulations = population.summary.simulations;
  for (let g = 1; g < options.generations && population.working.length > 1; g++) {
    const tolerance = Math.max(
      options.minTolerance,
      quantiles(population.distances, [options.toleranceQuantile])[0]!,
    );
    if (g > 1 && tolerance >= population.summary.tolerance) break;
    const next = nextGeneration(
      target,
      population,
      g,
      tolerance,
      options,
      rng,
      options.maxSimulations - simulations,
    );
    if (next === undefined) break;
    population = next;
    simulations += next.summary.simulations;
    summaries.push(next.summary);
    await reportGeneration(onGeneration, next.summary);
    if (tolerance <= options.minTolerance) break;
  }
  return {
    values: population.working.map((u) =>
      Float64Array.from(u, (v, k) => fromWorking(target.priors[k]!, v)),
    ),
    weights: population.weights,
    distances: population.distances,
    streams: population.streams,
    generations: summaries,
    simulations,
  };
}
