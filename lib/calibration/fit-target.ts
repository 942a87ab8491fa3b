import type { Prior } from './priors.js';
import type { GenerationSummary } from './posterior.js';

/** What an ABC algorithm needs of a problem: the priors and a distance for a particle on a stream. */
export interface FitTarget {
  readonly priors: readonly Prior[];
  /**
   * Distance between the data and one simulation of the particle `values`
   * (natural scale) drawn on the stream (generation, attempt); Infinity when
   * the particle is not a valid model (initial counts above the population).
   */
  distance(values: Float64Array, generation: number, attempt: number): number;
}

/** Called once per finished generation (progress lines and records); may be async. */
export type OnGeneration = (summary: GenerationSummary) => void | Promise<void>;

/**
 * Reports a finished generation, then yields to the event loop so that I/O
 * the report started (a progress write) goes out while the next generation
 * computes; the ABC loops are otherwise synchronous.
 */
export async function reportGeneration(
  onGeneration: OnGeneration | undefined,
  summary: GenerationSummary,
): Promise<void> {
  await onGeneration?.(summary);
  await new Promise<void>((resolve) => setImmediate(resolve));
}
