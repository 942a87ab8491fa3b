import { scatter } from '../engine/ensemble.js';
import type { ModelSpec } from '../engine/spec.js';
import type { Rng } from '../engine/rng.js';
import type { ForecastTask } from './forecast-task.js';
import { systematicResample, type Posterior } from './posterior.js';
import { applyParticle, WeeklySimulator } from './simulator.js';

/** Projected weekly trajectories; series are flat `(sample * dates + d) * groups + g` (the task result layout). */
export interface Projection {
  readonly dates: readonly string[];
  readonly samples: number;
  /** The posterior particle each sample projects. */
  readonly picks: Int32Array;
  /** The compared series (thinned), flat `[sample][date]`. */
  readonly observed: Float64Array;
  readonly compartments: Record<string, Float64Array>;
  readonly transitions: Record<string, Float64Array>;
}

/**
 * Projects the posterior over the whole timespan: `task.samples` particles
 * drawn by weight (systematic resampling). A particle's first copy re-runs the
 * stream it was accepted with, so its trajectory repeats the accepted fit and
 * continues it; further copies of the same particle get fresh streams.
 */
export function projectPosterior(
  spec: ModelSpec,
  task: ForecastTask,
  posterior: Posterior,
  seedKeys: readonly [number, number],
  rng: Rng,
): Projection {
  const sim = new WeeklySimulator(spec, task.target);
  const picks = systematicResample(posterior.weights, task.samples, rng.uniform());
  const D = sim.binning.labels.length;
  const G = spec.groups.length;
  const S = task.samples;
  const observed = new Float64Array(S * D);
  const compartments: Record<string, Float64Array> = {};
  const transitions: Record<string, Float64Array> = {};
  const copies = new Map<number, number>();
  picks.forEach((p, s) => {
    const copy = copies.get(p) ?? 0;
    copies.set(p, copy + 1);
    const particle = applyParticle(spec, task.free, posterior.values[p]!, task.defaultCompartment)!;
    const [generation, attempt] = posterior.streams[p]!;
    const run = sim.run(particle, [...seedKeys, generation, attempt, copy], true);
    observed.set(run.observed, s * D);
    if (s === 0) {
      for (const c of spec.compartments) compartments[c] = new Float64Array(S * D * G);
      for (const name of sim.pairNames) transitions[name] = new Float64Array(S * D * G);
    }
    scatter(run.compartments!, spec.compartments, G, D, s, compartments);
    scatter(run.transitions!, sim.pairNames, G, D, s, transitions);
  });
  return { dates: sim.binning.labels, samples: S, picks, observed, compartments, transitions };
}
