import {
  resolveParameters,
  seasonalAmplitude,
  transitionRates,
  type ParameterValues,
} from './resolve.js';
import { SpecError, specProblems } from './spec-problems.js';
import type { ModelSpec } from './spec.js';
import { forcing, segmentContact, timeline } from './timeline.js';

/** The model in flat typed arrays for the hot loop. */
export interface CompiledModel {
  readonly spec: ModelSpec;
  readonly numComps: number;
  readonly numGroups: number;
  readonly init: Float64Array; // [comp][group]
  readonly invSizes: Float64Array; // 1 / N_g
  readonly contact: Float64Array; // [g][h]
  /** Compartments with outgoing edges, and their edges `edgeStart[s] .. edgeStart[s+1]`. */
  readonly sources: Int32Array;
  readonly edgeStart: Int32Array;
  readonly edgeTarget: Int32Array;
  /** Slot in the force-of-infection table, or -1 for spontaneous edges. */
  readonly edgeMediatorSlot: Int32Array;
  readonly edgePair: Int32Array;
  readonly edgeRate: Float64Array; // [edge][group], at the first step
  /** Edge rates and contact matrix of each time segment (segment 0 is the first step's: `edgeRate`, `contact`). */
  readonly segmentEdgeRates: readonly Float64Array[];
  readonly segmentContacts: readonly Float64Array[];
  /** Segment of each step; undefined when every step uses `edgeRate` and `contact`. */
  readonly stepSegment: Int32Array | undefined;
  /** Multiplier of mediated rates at each step (seasonality); undefined without seasonality. */
  readonly forcing: Float64Array | undefined;
  /** Compartment index of each mediator slot. */
  readonly mediators: Int32Array;
  /** Distinct source->target pairs, named `<src>_to_<tgt>`. */
  readonly pairNames: readonly string[];
}

/** The output name of a transition pair. */
export function pairName(source: string, target: string): string {
  return `${source}_to_${target}`;
}

/** Transitions with the same source, target and mediator, merged: their per-group rates add up. */
interface Edge {
  readonly source: number;
  readonly target: number;
  readonly mediator: string | undefined;
  readonly rates: Float64Array;
}

function mergeEdges(spec: ModelSpec, at: (id: string) => number, values: ParameterValues): Edge[] {
  const edges = new Map<string, Edge>();
  for (const t of spec.transitions) {
    const mediator = t.type === 'mediated' ? t.mediator : undefined;
    const key = `${t.source}>${t.target}>${mediator ?? ''}`;
    const rates = transitionRates(spec, t, values);
    const edge = edges.get(key);
    if (edge) edge.rates.forEach((r, g) => (edge.rates[g] = r + rates[g]!));
    else edges.set(key, { source: at(t.source), target: at(t.target), mediator, rates });
  }
  return [...edges.values()].sort((a, b) => a.source - b.source);
}

/** Whether every rate is finite and >= 0 and every forcing multiplier finite and > 0. */
function runnable(rates: readonly Float64Array[], multipliers: Float64Array | undefined): boolean {
  const ok = (a: Float64Array, min: number) => a.every((v) => Number.isFinite(v) && v >= min);
  return (
    rates.every((r) => ok(r, 0)) && (multipliers === undefined || ok(multipliers, Number.MIN_VALUE))
  );
}

/**
 * Compiles a spec into typed arrays: parameters, overrides and derived
 * parameters resolved per time segment, contact layers summed after
 * interventions, seasonal multipliers per step. Edges are grouped by source
 * compartment, and transitions that share source, target and mediator become
 * one edge (same distribution, one draw fewer). Throws a {@link SpecError}
 * when a rate is not finite and >= 0 (see {@link specProblems}).
 */
export function compileModel(spec: ModelSpec): CompiledModel {
  const C = spec.compartments.length;
  const G = spec.groups.length;
  const index = new Map(spec.compartments.map((id, i) => [id, i]));
  const at = (id: string): number => index.get(id)!;
  const init = new Float64Array(C * G);
  spec.compartments.forEach((id, c) =>
    (spec.init[id] ?? []).forEach((v, g) => (init[c * G + g] = v)),
  );
  const pairNames = [...new Set(spec.transitions.map((t) => pairName(t.source, t.target)))];
  const mediatorIds = [
    ...new Set(spec.transitions.flatMap((t) => (t.type === 'mediated' ? [t.mediator!] : []))),
  ];
  const { segments, stepSegment } = timeline(spec);
  const bySegment = segments.map((s) => mergeEdges(spec, at, resolveParameters(spec, s.overrides)));
  const edges = bySegment[0]!;
  const sources = [...new Set(edges.map((e) => e.source))];
  const edgeStart = new Int32Array(sources.length + 1);
  sources.forEach(
    (s, k) => (edgeStart[k + 1] = edgeStart[k]! + edges.filter((e) => e.source === s).length),
  );
  const segmentEdgeRates = bySegment.map((segmentEdges) => {
    const rates = new Float64Array(segmentEdges.length * G);
    segmentEdges.forEach((e, i) => rates.set(e.rates, i * G));
    return rates;
  });
  const segmentContacts = segments.map((s) => segmentContact(spec, s));
  const multipliers = forcing(spec, seasonalAmplitude(spec));
  if (!runnable(segmentEdgeRates, multipliers)) throw new SpecError(specProblems(spec));
  return {
    spec,
    numComps: C,
    numGroups: G,
    init,
    invSizes: Float64Array.from(spec.groupSizes, (n) => (n > 0 ? 1 / n : 0)),
    contact: segmentContacts[0]!,
    sources: Int32Array.from(sources),
    edgeStart,
    edgeTarget: Int32Array.from(edges, (e) => e.target),
    edgeMediatorSlot: Int32Array.from(edges, (e) =>
      e.mediator === undefined ? -1 : mediatorIds.indexOf(e.mediator),
    ),
    edgePair: Int32Array.from(edges, (e) =>
      pairNames.indexOf(pairName(spec.compartments[e.source]!, spec.compartments[e.target]!)),
    ),
    edgeRate: segmentEdgeRates[0]!,
    segmentEdgeRates,
    segmentContacts,
    stepSegment,
    forcing: multipliers,
    mediators: Int32Array.from(mediatorIds, at),
    pairNames,
  };
}
