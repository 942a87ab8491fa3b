import { evaluateExpression, parseExpression } from './expression.js';

/** A transition of a resolved model; `rate` is an expression over the parameters. */
export interface TransitionSpec {
  readonly type: 'spontaneous' | 'mediated';
  readonly source: string;
  readonly target: string;
  readonly rate: string;
  /** Compartment whose prevalence drives a mediated transition. */
  readonly mediator?: string;
}

/**
 * A fully resolved model for one task: everything the engine needs, plain
 * JSON (it travels inside the task input). Parameters hold one value per
 * group (calculated parameters already evaluated).
 */
export interface ModelSpec {
  readonly compartments: readonly string[];
  readonly groups: readonly string[];
  /** Population of each group. */
  readonly groupSizes: readonly number[];
  /** Contact matrix C[g][h]. */
  readonly contact: readonly (readonly number[])[];
  /** Initial counts per compartment, one per group; each group sums to its size. */
  readonly init: Readonly<Record<string, readonly number[]>>;
  readonly parameters: Readonly<Record<string, readonly number[]>>;
  readonly transitions: readonly TransitionSpec[];
  /** Days since 1970-01-01 of the first step. */
  readonly startDay: number;
  readonly dt: number;
  readonly steps: number;
}

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
  readonly edgeRate: Float64Array; // [edge][group]
  /** Compartment index of each mediator slot. */
  readonly mediators: Int32Array;
  /** Distinct source->target pairs, named `<src>_to_<tgt>`. */
  readonly pairNames: readonly string[];
}

/** The output name of a transition pair. */
export function pairName(source: string, target: string): string {
  return `${source}_to_${target}`;
}

/** Per-group rates of a transition: its expression evaluated against each group's parameter values. */
export function transitionRates(spec: ModelSpec, transition: TransitionSpec): Float64Array {
  const expression = parseExpression(transition.rate);
  return Float64Array.from(spec.groups, (_, g) => evaluateExpression(expression, (name) => spec.parameters[name]![g]!));
}

/** Transitions with the same source, target and mediator, merged: their per-group rates add up. */
interface Edge {
  readonly source: number;
  readonly target: number;
  readonly mediator: string | undefined;
  readonly rates: Float64Array;
}

function mergeEdges(spec: ModelSpec, at: (id: string) => number): Edge[] {
  const edges = new Map<string, Edge>();
  for (const t of spec.transitions) {
    const mediator = t.type === 'mediated' ? t.mediator : undefined;
    const key = `${t.source}>${t.target}>${mediator ?? ''}`;
    const rates = transitionRates(spec, t);
    const edge = edges.get(key);
    if (edge) edge.rates.forEach((r, g) => (edge.rates[g] = r + rates[g]!));
    else edges.set(key, { source: at(t.source), target: at(t.target), mediator, rates });
  }
  return [...edges.values()].sort((a, b) => a.source - b.source);
}

/**
 * Compiles a spec into typed arrays; edges are grouped by source compartment,
 * and transitions that share source, target and mediator become one edge
 * (same distribution, one draw fewer).
 */
export function compileModel(spec: ModelSpec): CompiledModel {
  const C = spec.compartments.length;
  const G = spec.groups.length;
  const index = new Map(spec.compartments.map((id, i) => [id, i]));
  const at = (id: string): number => index.get(id)!;
  const init = new Float64Array(C * G);
  spec.compartments.forEach((id, c) => (spec.init[id] ?? []).forEach((v, g) => (init[c * G + g] = v)));
  const pairNames = [...new Set(spec.transitions.map((t) => pairName(t.source, t.target)))];
  const mediatorIds = [...new Set(spec.transitions.flatMap((t) => (t.type === 'mediated' ? [t.mediator!] : [])))];
  const edges = mergeEdges(spec, at);
  const sources = [...new Set(edges.map((e) => e.source))];
  const edgeStart = new Int32Array(sources.length + 1);
  sources.forEach((s, k) => (edgeStart[k + 1] = edgeStart[k]! + edges.filter((e) => e.source === s).length));
  const edgeRate = new Float64Array(edges.length * G);
  edges.forEach((e, i) => edgeRate.set(e.rates, i * G));
  return {
    spec,
    numComps: C,
    numGroups: G,
    init,
    invSizes: Float64Array.from(spec.groupSizes, (n) => (n > 0 ? 1 / n : 0)),
    contact: Float64Array.from(spec.contact.flat()),
    sources: Int32Array.from(sources),
    edgeStart,
    edgeTarget: Int32Array.from(edges, (e) => e.target),
    edgeMediatorSlot: Int32Array.from(edges, (e) => (e.mediator === undefined ? -1 : mediatorIds.indexOf(e.mediator))),
    edgePair: Int32Array.from(edges, (e) => pairNames.indexOf(pairName(spec.compartments[e.source]!, spec.compartments[e.target]!))),
    edgeRate,
    mediators: Int32Array.from(mediatorIds, at),
    pairNames,
  };
}
