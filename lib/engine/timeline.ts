import type { ModelSpec } from './spec.js';

/** A run of steps with the same overrides and interventions in force. */
export interface Segment {
  /** First step of the segment's first run (segments can recur, e.g. before and after an override). */
  readonly firstStep: number;
  /** Indexes into `spec.overrides` in force. */
  readonly overrides: readonly number[];
  /** Indexes into `spec.interventions` in force. */
  readonly interventions: readonly number[];
}

/** The distinct segments of a model and the segment of each step. */
export interface Timeline {
  readonly segments: readonly Segment[];
  /** Segment index of each step; undefined when there is one segment. */
  readonly stepSegment: Int32Array | undefined;
}

const EPS = 1e-9;

/** Day number at which step t starts. */
export function stepDay(spec: ModelSpec, t: number): number {
  return spec.startDay + t * spec.dt;
}

/**
 * Whether a window of day numbers covers the step starting at `day`. As in
 * epydemix, a window covers the steps that start from `startDay` 00:00 to
 * `endDay` 00:00 inclusive (with dt = 1: every day from start to end).
 */
function inWindow(
  window: { readonly startDay: number; readonly endDay: number },
  day: number,
): boolean {
  return day >= window.startDay - EPS && day <= window.endDay + EPS;
}

const SINGLE: Timeline = {
  segments: [{ firstStep: 0, overrides: [], interventions: [] }],
  stepSegment: undefined,
};

/** Splits the steps into segments by the overrides and interventions in force. */
export function timeline(spec: ModelSpec): Timeline {
  const overrides = spec.overrides ?? [];
  const interventions = spec.interventions ?? [];
  if (overrides.length === 0 && interventions.length === 0) return SINGLE;
  const byKey = new Map<string, number>();
  const segments: Segment[] = [];
  const stepSegment = new Int32Array(spec.steps);
  for (let t = 0; t < spec.steps; t++) {
    const day = stepDay(spec, t);
    const active = {
      overrides: overrides.flatMap((o, i) => (inWindow(o, day) ? [i] : [])),
      interventions: interventions.flatMap((v, i) => (inWindow(v, day) ? [i] : [])),
    };
    const key = `${active.overrides.join(',')}|${active.interventions.join(',')}`;
    let s = byKey.get(key);
    if (s === undefined) {
      s = segments.push({ firstStep: t, ...active }) - 1;
      byKey.set(key, s);
    }
    stepSegment[t] = s;
  }
  return segments.length === 1 ? { segments, stepSegment: undefined } : { segments, stepSegment };
}

/** The contact matrix `[g][h]` of a segment: the layers, each times the factors of its interventions in force, summed. */
export function segmentContact(spec: ModelSpec, segment: Segment): Float64Array {
  const layers = spec.contactLayers;
  if (layers === undefined) return Float64Array.from(spec.contact.flat());
  const G = spec.groups.length;
  const out = new Float64Array(G * G);
  for (const [name, matrix] of Object.entries(layers)) {
    let factor = 1;
    for (const i of segment.interventions) {
      const v = spec.interventions![i]!;
      if (v.layer === name) factor *= v.reductionFactor;
    }
    matrix.forEach((row, g) => row.forEach((c, h) => (out[g * G + h]! += factor * c)));
  }
  return out;
}

/** Seasonal multiplier of mediated rates at each step, `1 + A cos(2 pi (day - peak) / period)`; undefined without seasonality. */
export function forcing(spec: ModelSpec, amplitude: number): Float64Array | undefined {
  const s = spec.seasonality;
  if (s === undefined) return undefined;
  return Float64Array.from(
    { length: spec.steps },
    (_, t) =>
      1 + amplitude * Math.cos((2 * Math.PI * (stepDay(spec, t) - s.peakDay)) / s.periodDays),
  );
}
