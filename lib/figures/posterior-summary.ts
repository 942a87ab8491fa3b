import type { PosteriorSummaryRow } from '../report/report-data.js';

/** The weighted particles of one calibration task of one population (a calibration result's `particles`). */
export interface PosteriorParticles {
  readonly population: string;
  /** Free quantities, `R0` or `init.I`. */
  readonly names: readonly string[];
  /** `values[i][k]`: particle i's value of `names[k]`. */
  readonly values: readonly (readonly number[])[];
  /** One weight per particle, in any scale. */
  readonly weights: readonly number[];
}

/** One particle of a population's pooled posterior: its values by name and its weight in the pool. */
export interface PooledParticle {
  readonly values: ReadonlyMap<string, number>;
  readonly weight: number;
}

/** The pooled posterior of one population: the union of its tasks' names, and their particles. */
export interface PooledPosterior {
  readonly population: string;
  readonly names: readonly string[];
  readonly particles: readonly PooledParticle[];
}

/** A value and its weight. */
export interface WeightedValue {
  readonly value: number;
  readonly weight: number;
}

/**
 * Weights scaled to sum to 1. A negative or NaN weight counts as 0; when
 * nothing is left (total 0 or not finite) every value weighs the same.
 */
export function normalizedWeights(weights: readonly number[]): number[] {
  const clean = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
  const total = clean.reduce((sum, w) => sum + w, 0);
  if (!(total > 0) || !Number.isFinite(total)) return clean.map(() => 1 / clean.length);
  return clean.map((w) => w / total);
}

/** A task's particles whose every value is finite, with their weights normalized over them. */
function taskParticles(task: PosteriorParticles): PooledParticle[] {
  const kept = task.values.flatMap((row, i) =>
    task.names.every((_, k) => Number.isFinite(row[k])) ? [i] : [],
  );
  const weights = normalizedWeights(kept.map((i) => task.weights[i] ?? Number.NaN));
  return kept.map((i, j) => ({
    values: new Map(task.names.map((name, k) => [name, task.values[i]![k]!])),
    weight: weights[j]!,
  }));
}

/**
 * The posterior of each population (first-seen order), pooled over its tasks:
 * a task's particles with a non-finite value are left out, the weights of the
 * others normalized to sum to 1 over the task, then every task counts equally
 * (each weight divided by the population's number of tasks), so a task with
 * more particles does not outweigh the others.
 */
export function poolPosteriors(input: readonly PosteriorParticles[]): PooledPosterior[] {
  const byPopulation = new Map<string, PosteriorParticles[]>();
  for (const task of input) {
    byPopulation.set(task.population, [...(byPopulation.get(task.population) ?? []), task]);
  }
  return [...byPopulation].map(([population, tasks]) => ({
    population,
    names: [...new Set(tasks.flatMap((task) => task.names))],
    particles: tasks.flatMap((task) =>
      taskParticles(task).map((p) => ({ ...p, weight: p.weight / tasks.length })),
    ),
  }));
}

/**
 * The values of one quantity in a pooled posterior, sorted ascending, with
 * their weights renormalized to sum to 1 over the particles that hold it (all
 * of them unless the population's tasks have different names).
 */
export function weightedValues(posterior: PooledPosterior, name: string): WeightedValue[] {
  const kept = posterior.particles.flatMap((p) => {
    const value = p.values.get(name);
    return value === undefined ? [] : [{ value, weight: p.weight }];
  });
  const weights = normalizedWeights(kept.map((p) => p.weight));
  return kept
    .map((p, i) => ({ value: p.value, weight: weights[i]! }))
    .sort((a, b) => a.value - b.value);
}

/** Slack for sums of weights that should reach a level exactly but fall short by rounding. */
const LEVEL_SLACK = 1e-12;

/**
 * The weighted quantile at `level` (0..1) of values SORTED ascending whose
 * weights sum to 1: the first value whose cumulative weight is >= level (no
 * interpolation, so the result is always one of the values; with equal weights
 * and an even count the median is the lower of the two middle values). NaN
 * when there are no values.
 */
export function weightedQuantile(sorted: readonly WeightedValue[], level: number): number {
  let cumulative = 0;
  for (const { value, weight } of sorted) {
    cumulative += weight;
    if (cumulative >= level - LEVEL_SLACK) return value;
  }
  return sorted.at(-1)?.value ?? Number.NaN;
}

/**
 * One row per population and free quantity (populations in first-seen order,
 * quantities in their names' order): weighted mean, median and 2.5% / 97.5%
 * quantiles ({@link weightedQuantile}) of the pooled posterior
 * ({@link poolPosteriors}), and the number of particles pooled.
 */
export function posteriorSummary(rows: readonly PosteriorParticles[]): PosteriorSummaryRow[] {
  return poolPosteriors(rows).flatMap((posterior) =>
    posterior.names.map((parameter) => {
      const sorted = weightedValues(posterior, parameter);
      return {
        population: posterior.population,
        parameter,
        mean: sorted.length === 0 ? Number.NaN : sorted.reduce((s, p) => s + p.value * p.weight, 0),
        median: weightedQuantile(sorted, 0.5),
        q025: weightedQuantile(sorted, 0.025),
        q975: weightedQuantile(sorted, 0.975),
        particles: sorted.length,
      };
    }),
  );
}

/** The most particles a location contributes to a figure (the figure's data stays small). */
export const MAX_PARTICLES_PER_LOCATION = 2_000;

/**
 * The pooled posteriors ({@link poolPosteriors}) with at most `cap`
 * particles per location: the heaviest ones, in their order, their weights
 * renormalized to sum to 1.
 */
export function cappedPosteriors(
  input: readonly PosteriorParticles[],
  cap = MAX_PARTICLES_PER_LOCATION,
): PooledPosterior[] {
  return poolPosteriors(input).map((posterior) => {
    const heaviest = new Set(
      [...posterior.particles].sort((a, b) => b.weight - a.weight).slice(0, cap),
    );
    const kept = posterior.particles.filter((p) => heaviest.has(p));
    const weights = normalizedWeights(kept.map((p) => p.weight));
    return { ...posterior, particles: kept.map((p, i) => ({ ...p, weight: weights[i]! })) };
  });
}
