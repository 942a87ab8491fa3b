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

/** Compiles a spec into typed arrays; edges are grouped by source compartment. */
export function compileModel(spec: ModelSpec): CompiledModel {
  const C = spec.compartments.length;
  const G = spec.groups.length;
  const index = new Map(spec.compartments.map((id, i) => [id, i]));
  const at = (id: string): number => index.get(id)!;
  const init = new Float64Array(C * G);
  spec.compartments.forEach((id, c) => (spec.init[id] ?? []).forEach((v, g) => (init[c * G + g] = v)));
  const pairNames = [...new Set(spec.transitions.map((t) => pairName(t.source, t.target)))];
  const mediatorIds = [...new Set(spec.transitions.flatMap((t) => (t.type === 'mediated' ? [t.mediator!] : [])))];
  const ordered = [...spec.transitions].sort((a, b) => at(a.source) - at(b.source));
  const sources = [...new Set(ordered.map((t) => at(t.source)))];
  const edgeStart = new Int32Array(sources.length + 1);
  sources.forEach((s, k) => (edgeStart[k + 1] = edgeStart[k]! + ordered.filter((t) => at(t.source) === s).length));
  const edgeRate = new Float64Array(ordered.length * G);
  ordered.forEach((t, e) => edgeRate.set(transitionRates(spec, t), e * G));
  return {
    spec,
    numComps: C,
    numGroups: G,
    init,
    invSizes: Float64Array.from(spec.groupSizes, (n) => (n > 0 ? 1 / n : 0)),
    contact: Float64Array.from(spec.contact.flat()),
    sources: Int32Array.from(sources),
    edgeStart,
    edgeTarget: Int32Array.from(ordered, (t) => at(t.target)),
    edgeMediatorSlot: Int32Array.from(ordered, (t) => (t.type === 'mediated' ? mediatorIds.indexOf(t.mediator!) : -1)),
    edgePair: Int32Array.from(ordered, (t) => pairNames.indexOf(pairName(t.source, t.target))),
    edgeRate,
    mediators: Int32Array.from(mediatorIds, at),
    pairNames,
  };
}
