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

/** Called once per finished generation (progress lines). */
export type OnGeneration = (summary: GenerationSummary) => void;
