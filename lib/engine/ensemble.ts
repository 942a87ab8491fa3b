import { compileModel } from './model.js';
import { type ModelSpec } from './spec.js';
import { aggregate, binSteps, type ResampleMode } from './resample.js';
import { Rng } from './rng.js';
import { allocateBuffers, simulate } from './simulate.js';

/** Options of {@link runEnsemble}. */
export interface EnsembleOptions {
  readonly nSims: number;
  readonly resample: ResampleMode;
  /** Stream keys; simulation s uses `new Rng(...seedKeys, s)`. */
  readonly seedKeys: readonly number[];
}

/** Resampled trajectories of an ensemble; series are flat, index `(sim * dates + d) * groups + g`. */
export interface Ensemble {
  readonly dates: readonly string[];
  readonly compartments: Readonly<Record<string, Float64Array>>;
  /** Keyed by `<src>_to_<tgt>`. */
  readonly transitions: Readonly<Record<string, Float64Array>>;
}

/** Copies one simulation's binned `[bin][name][group]` rows into flat per-name series `(sim * D + d) * G + g`. */
export function scatter(
  binned: Float64Array,
  names: readonly string[],
  G: number,
  D: number,
  sim: number,
  out: Record<string, Float64Array>,
): void {
  const width = names.length * G;
  names.forEach((name, k) => {
    const series = out[name]!;
    for (let d = 0; d < D; d++)
      for (let g = 0; g < G; g++) series[(sim * D + d) * G + g] = binned[d * width + k * G + g]!;
  });
}

/**
 * Runs `nSims` independent trajectories of a model and resamples them.
 * Simulation s draws from its own stream keyed by (seedKeys, s), so results do
 * not depend on which simulations or tasks ran before.
 */
export function runEnsemble(spec: ModelSpec, options: EnsembleOptions): Ensemble {
  const model = compileModel(spec);
  const buffers = allocateBuffers(model);
  const binning = binSteps(spec.startDay, spec.dt, spec.steps, options.resample);
  const G = model.numGroups;
  const D = binning.labels.length;
  const size = options.nSims * D * G;
  const compartments = Object.fromEntries(
    spec.compartments.map((c) => [c, new Float64Array(size)]),
  );
  const transitions = Object.fromEntries(model.pairNames.map((p) => [p, new Float64Array(size)]));
  const compBins = new Float64Array(D * model.numComps * G);
  const flowBins = new Float64Array(D * model.pairNames.length * G);
  for (let sim = 0; sim < options.nSims; sim++) {
    simulate(model, new Rng(...options.seedKeys, sim), buffers);
    aggregate(buffers.compartments, model.numComps * G, binning, 'last', compBins);
    aggregate(buffers.transitions, model.pairNames.length * G, binning, 'sum', flowBins);
    scatter(compBins, spec.compartments, G, D, sim, compartments);
    scatter(flowBins, model.pairNames, G, D, sim, transitions);
  }
  return { dates: binning.labels, compartments, transitions };
}
