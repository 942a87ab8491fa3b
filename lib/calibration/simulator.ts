import { binomial } from '../engine/binomial.js';
import { compileModel } from '../engine/model.js';
import { type ModelSpec } from '../engine/spec.js';
import { resolveParameters } from '../engine/resolve.js';
import { aggregate, binSteps, type Binning } from '../engine/resample.js';
import { Rng } from '../engine/rng.js';
import { allocateBuffers, simulate, type SimulationBuffers } from '../engine/simulate.js';
import type { FreeQuantity, ObservedTarget } from './problem.js';

/** Stream keys of one simulation: (seed, task, generation, attempt, copy); copy 0 is the fit's own stream. */
export type StreamKey = readonly [number, number, number, number, number];

/** Weekly trajectories of one simulation over the whole binning. */
export interface Trajectory {
  /** The compared series (summed over groups, thinned by the reporting fraction), one value per weekly bin. */
  readonly observed: Float64Array;
  /** `[bin][comp][group]` and `[bin][pair][group]`, present when asked for. */
  readonly compartments?: Float64Array;
  readonly transitions?: Float64Array;
}

/**
 * The model with a particle's values: parameters set in every group,
 * initial proportions applied (the `default` compartment takes the rest).
 * Returns undefined when the initial counts exceed a group's size.
 */
export function applyParticle(
  spec: ModelSpec,
  free: readonly FreeQuantity[],
  values: ArrayLike<number>,
  defaultCompartment: string,
): ModelSpec | undefined {
  const parameters: Record<string, readonly number[]> = { ...spec.parameters };
  const init: Record<string, readonly number[]> = { ...spec.init };
  let initChanged = false;
  free.forEach((q, i) => {
    const v = values[i]!;
    if (q.kind === 'parameter') parameters[q.name] = spec.groups.map(() => v);
    else {
      init[q.name] = spec.groupSizes.map((n) => Math.round(v * n));
      initChanged = true;
    }
  });
  if (initChanged) {
    const rest = spec.groupSizes.map((n, g) =>
      Object.entries(init).reduce(
        (left, [id, counts]) => (id === defaultCompartment ? left : left - counts[g]!),
        n,
      ),
    );
    if (rest.some((v) => v < 0)) return undefined;
    init[defaultCompartment] = rest;
  }
  return { ...spec, parameters, init };
}

/** Runs a model's simulations and reduces them to weekly series; one per (model spec, step count). */
export class WeeklySimulator {
  readonly binning: Binning;
  /** Transition pairs (`E_to_I`) in the order of the `transitions` rows. */
  readonly pairNames: readonly string[];
  private readonly buffers: SimulationBuffers;
  private readonly sums: Float64Array;
  private readonly target: {
    readonly index: number;
    readonly width: number;
    readonly isTransition: boolean;
  };
  private readonly groups: number;

  constructor(
    readonly spec: ModelSpec,
    readonly observedTarget: ObservedTarget,
  ) {
    const model = compileModel(spec);
    this.buffers = allocateBuffers(model);
    this.pairNames = model.pairNames;
    this.binning = binSteps(spec.startDay, spec.dt, spec.steps, 'weekly');
    this.groups = spec.groups.length;
    const isTransition = observedTarget.kind === 'transition';
    const names = isTransition ? model.pairNames : spec.compartments;
    const width = names.length * this.groups;
    this.target = { index: names.indexOf(observedTarget.name), width, isTransition };
    this.sums = new Float64Array(spec.steps);
  }

  /** One simulation of `spec` (a particle's model, same shape as the constructor's) with the stream `key`. */
  run(spec: ModelSpec, key: StreamKey, full = false): Trajectory {
    const model = compileModel(spec);
    simulate(model, new Rng(...key, 0), this.buffers);
    const { index, width, isTransition } = this.target;
    const series = isTransition ? this.buffers.transitions : this.buffers.compartments;
    const G = this.groups;
    for (let t = 0; t < spec.steps; t++) {
      let sum = 0;
      for (let g = 0; g < G; g++) sum += series[t * width + index * G + g]!;
      this.sums[t] = sum;
    }
    const observed = aggregate(this.sums, 1, this.binning, isTransition ? 'sum' : 'last');
    this.thin(spec, observed, new Rng(...key, 1));
    if (!full) return { observed };
    const C = spec.compartments.length;
    return {
      observed,
      compartments: aggregate(this.buffers.compartments, C * G, this.binning, 'last'),
      transitions: aggregate(
        this.buffers.transitions,
        model.pairNames.length * G,
        this.binning,
        'sum',
      ),
    };
  }

  /** Binomial thinning by the reporting fraction, week by week (so a longer run thins its first weeks identically). */
  private thin(spec: ModelSpec, weekly: Float64Array, rng: Rng): void {
    const name = this.observedTarget.reportingFraction;
    if (name === undefined) return;
    const p = Math.min(1, Math.max(0, resolveParameters(spec)[name]![0]!));
    for (let w = 0; w < weekly.length; w++) weekly[w] = binomial(rng, Math.round(weekly[w]!), p);
  }
}
