import { binomial } from './binomial.js';
import type { CompiledModel } from './model.js';
import type { Rng } from './rng.js';
import { SpecError } from './spec-problems.js';
import { stepDay } from './timeline.js';

/** Preallocated buffers for {@link simulate}; reuse one per model across simulations. */
export interface SimulationBuffers {
  /** State at the END of each step, `[step][comp][group]`. */
  readonly compartments: Float64Array;
  /** Counts moved during each step, `[step][pair][group]`. */
  readonly transitions: Float64Array;
  readonly state: Float64Array;
  readonly foi: Float64Array;
  readonly edgeRates: Float64Array;
}

/** Allocates buffers sized for a model. */
export function allocateBuffers(model: CompiledModel): SimulationBuffers {
  const { numComps: C, numGroups: G, spec } = model;
  return {
    compartments: new Float64Array(spec.steps * C * G),
    transitions: new Float64Array(spec.steps * model.pairNames.length * G),
    state: new Float64Array(C * G),
    foi: new Float64Array(model.mediators.length * G),
    edgeRates: new Float64Array(model.edgeTarget.length),
  };
}

/** Force of infection per mediator slot m and group g: scale * sum_h C[g,h] * X[mediator,h] / N_h. */
function forceOfInfection(
  model: CompiledModel,
  contact: Float64Array,
  scale: number,
  state: Float64Array,
  foi: Float64Array,
): void {
  const G = model.numGroups;
  const { invSizes, mediators } = model;
  for (let m = 0; m < mediators.length; m++) {
    const base = mediators[m]! * G;
    for (let g = 0; g < G; g++) {
      let sum = 0;
      for (let h = 0; h < G; h++) sum += contact[g * G + h]! * state[base + h]! * invSizes[h]!;
      foi[m * G + g] = sum * scale;
    }
  }
}

/** A source whose total outflow rate at step t is not finite: its rates times the force of infection overflowed. */
function overflow(
  model: CompiledModel,
  src: number,
  g: number,
  t: number,
  total: number,
): SpecError {
  const { spec } = model;
  const index = spec.transitions.findIndex((tr) => tr.source === spec.compartments[src]);
  const expected = `a finite total rate out of ${spec.compartments[src]} (its rates times the force of infection overflowed)`;
  return new SpecError([
    { item: 'transition', index, group: g, day: stepDay(spec, t), value: total, expected },
  ]);
}

/**
 * One chain-binomial trajectory. Every rate is taken from the start-of-step
 * state; each source compartment's outflow in a group is one multinomial draw
 * (a binomial for the total leaving with probability 1 - exp(-sum(rates)*dt),
 * then sequential binomials splitting it by rate). Counts stay integers, never
 * go negative, and the population is conserved exactly. Each step uses its
 * time segment's rates and contacts, and its seasonal multiplier. A total
 * rate that overflows to Infinity or NaN throws a {@link SpecError}.
 */
export function simulate(model: CompiledModel, rng: Rng, buffers: SimulationBuffers): void {
  const {
    numComps: C,
    numGroups: G,
    spec,
    sources,
    edgeStart,
    edgeTarget,
    edgeMediatorSlot,
    edgePair,
    stepSegment,
    forcing,
  } = model;
  let { edgeRate, contact } = model;
  const { compartments, transitions, state, foi, edgeRates } = buffers;
  const width = C * G;
  const pairWidth = model.pairNames.length * G;
  const dt = spec.dt;
  state.set(model.init);
  transitions.fill(0);
  for (let t = 0; t < spec.steps; t++) {
    if (stepSegment !== undefined) {
      const segment = stepSegment[t]!;
      edgeRate = model.segmentEdgeRates[segment]!;
      contact = model.segmentContacts[segment]!;
    }
    forceOfInfection(model, contact, forcing === undefined ? 1 : forcing[t]!, state, foi);
    const off = t * width;
    compartments.set(state, off);
    const flowBase = t * pairWidth;
    for (let k = 0; k < sources.length; k++) {
      const src = sources[k]!;
      const e0 = edgeStart[k]!;
      const e1 = edgeStart[k + 1]!;
      for (let g = 0; g < G; g++) {
        const n = state[src * G + g]!;
        if (n === 0) continue;
        let total = 0;
        for (let e = e0; e < e1; e++) {
          const slot = edgeMediatorSlot[e]!;
          const r = edgeRate[e * G + g]! * (slot < 0 ? 1 : foi[slot * G + g]!);
          edgeRates[e] = r;
          total += r;
        }
        if (!(total > 0 && total < Infinity)) {
          if (total === 0) continue;
          throw overflow(model, src, g, t, total);
        }
        let left = binomial(rng, n, -Math.expm1(-total * dt));
        if (left === 0) continue;
        compartments[off + src * G + g]! -= left;
        for (let e = e0; e < e1 && left > 0; e++) {
          const r = edgeRates[e]!;
          // remaining rates that rounding took to <= 0 leave the rest to this edge, unless its own rate is 0
          const x =
            e === e1 - 1 ? left : binomial(rng, left, r <= 0 ? 0 : r >= total ? 1 : r / total);
          total -= r;
          left -= x;
          compartments[off + edgeTarget[e]! * G + g]! += x;
          transitions[flowBase + edgePair[e]! * G + g]! += x;
        }
      }
    }
    for (let i = 0; i < width; i++) state[i] = compartments[off + i]!;
  }
}
