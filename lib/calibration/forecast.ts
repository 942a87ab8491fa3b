import { StageError } from '../errors.js';
import type { ModelSpec } from '../engine/spec.js';
import { SpecError } from '../engine/spec-problems.js';
import { Rng } from '../engine/rng.js';
import { distanceFunction } from './distance.js';
import type { FitTarget, OnGeneration } from './fit-target.js';
import type { ForecastTask } from './forecast-task.js';
import type { Posterior } from './posterior.js';
import { freeName, type ObservedSeries } from './problem.js';
import { projectPosterior, type Projection } from './projection.js';
import { abcRejection } from './rejection.js';
import { applyParticle, WeeklySimulator } from './simulator.js';
import { abcSmc } from './smc.js';

/** A fitted and projected task. */
export interface Forecast {
  readonly names: readonly string[];
  readonly posterior: Posterior;
  readonly projection: Projection;
}

/** Stream key separating the calibration's own draws (priors, kernel, resampling) from simulation streams. */
const CALIBRATION_STREAM = 0xabc;

/** Bin index of each observed date in the simulator's weekly labels; only whole simulated weeks can be compared. */
function observedBins(sim: WeeklySimulator, observed: ObservedSeries): Int32Array {
  return Int32Array.from(observed.dates, (date) => {
    const bin = sim.binning.labels.indexOf(date);
    if (bin < 0)
      throw new StageError(
        `Observed week ${date} is outside the simulated weeks ${sim.binning.labels[0]}..${sim.binning.labels.at(-1)}`,
      );
    return bin;
  });
}

/** The fit as an ABC problem: simulate the particle up to the last observed week, compare the observed weeks. */
function fitTarget(
  spec: ModelSpec,
  task: ForecastTask,
  seedKeys: readonly [number, number],
): FitTarget {
  const fitSpec: ModelSpec = { ...spec, steps: task.fitSteps };
  const sim = new WeeklySimulator(fitSpec, task.target);
  const bins = observedBins(sim, task.observed);
  const data = Float64Array.from(task.observed.values);
  const simulated = new Float64Array(bins.length);
  const distance = distanceFunction(task.distance);
  return {
    priors: task.free.map((q) => q.prior),
    distance: (values, generation, attempt) => {
      const particle = applyParticle(fitSpec, task.free, values, task.defaultCompartment);
      if (particle === undefined) return Infinity;
      let observed: Float64Array;
      try {
        observed = sim.run(particle, [...seedKeys, generation, attempt, 0]).observed;
      } catch (error) {
        if (error instanceof SpecError) return Infinity; // a particle whose rates cannot run (negative, not finite)
        throw error;
      }
      bins.forEach((bin, i) => (simulated[i] = observed[bin]!));
      return distance(simulated, data);
    },
  };
}

/**
 * Calibrates a task's free quantities to its data (ABC rejection or ABC-SMC),
 * then projects the posterior to the model's last step. Deterministic for the
 * seed keys (random seed, task index).
 */
export async function runForecast(
  spec: ModelSpec,
  task: ForecastTask,
  seedKeys: readonly [number, number],
  onGeneration?: OnGeneration,
): Promise<Forecast> {
  const target = fitTarget(spec, task, seedKeys);
  const rng = new Rng(...seedKeys, CALIBRATION_STREAM);
  const { strategy } = task;
  const posterior = await (strategy.type === 'rejection'
    ? abcRejection(target, strategy, rng, onGeneration)
    : abcSmc(target, strategy, rng, onGeneration));
  const projection = projectPosterior(spec, task, posterior, seedKeys, rng);
  return { names: task.free.map(freeName), posterior, projection };
}
