import { priorLogDensity, type Prior } from './priors.js';

/**
 * Particles are perturbed on an unbounded-ish scale: log for log-uniform
 * priors (they span orders of magnitude), the natural scale otherwise.
 */
export function toWorking(prior: Prior, x: number): number {
  return prior.type === 'log_uniform' ? Math.log(x) : x;
}

/** Inverse of {@link toWorking}. */
export function fromWorking(prior: Prior, u: number): number {
  return prior.type === 'log_uniform' ? Math.exp(u) : u;
}

/** Log prior density on the working scale (adds the log-Jacobian for log-transformed quantities). */
export function workingLogDensity(prior: Prior, u: number): number {
  const x = fromWorking(prior, u);
  return priorLogDensity(prior, x) + (prior.type === 'log_uniform' ? u : 0);
}
