import { EpycloudError } from '../errors.js';
import type { ModelSpec } from './spec.js';
import { evaluateIn, resolveParameters, transitionRates } from './resolve.js';
import { stepDay, timeline } from './timeline.js';

/** A value of a spec that the engine cannot run with. */
export interface SpecProblem {
  readonly item: 'transition' | 'derived' | 'override' | 'seasonality' | 'intervention';
  /** Index into `spec.transitions`, `spec.derived`, `spec.overrides` or `spec.interventions` (0 for seasonality). */
  readonly index: number;
  readonly group: number;
  /** Day number of the first step where the value is wrong. */
  readonly day: number;
  readonly value: number;
  /** What was expected, e.g. `a finite rate >= 0`. */
  readonly expected: string;
}

type Check = (v: number) => boolean;
const finite: Check = Number.isFinite;
const finiteRate: Check = (v) => Number.isFinite(v) && v >= 0;

/**
 * Every value the engine would compute, checked in every time segment:
 * derived parameters and overrides finite, transition rates finite and >= 0,
 * the seasonal amplitude one finite value in [0, 1), interventions on known
 * layers with finite factors >= 0. One problem per item (its first bad group
 * in its first bad segment). Empty for a spec that {@link compileModel} accepts.
 */
export function specProblems(spec: ModelSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const seen = new Set<string>();
  const check = (
    item: SpecProblem['item'],
    index: number,
    day: number,
    values: ArrayLike<number>,
    ok: Check,
    expected: string,
  ) => {
    const key = `${item}:${index}`;
    if (seen.has(key)) return;
    const group = Array.prototype.findIndex.call(values, (v: number) => !ok(v));
    if (group < 0) return;
    seen.add(key);
    problems.push({ item, index, group, day, value: values[group]!, expected });
  };
  const overrides = spec.overrides ?? [];
  for (const segment of timeline(spec).segments) {
    const day = stepDay(spec, segment.firstStep);
    const values = resolveParameters(spec, segment.overrides);
    const forced = new Set(segment.overrides.map((i) => overrides[i]!.parameter));
    segment.overrides.forEach((i) =>
      check('override', i, day, values[overrides[i]!.parameter]!, finite, 'a finite value'),
    );
    (spec.derived ?? []).forEach((d, i) => {
      if (!forced.has(d.name)) check('derived', i, day, values[d.name]!, finite, 'a finite value');
    });
    spec.transitions.forEach((t, i) =>
      check(
        'transition',
        i,
        day,
        transitionRates(spec, t, values),
        finiteRate,
        'a finite rate >= 0',
      ),
    );
  }
  if (spec.seasonality !== undefined) {
    const base = resolveParameters(spec);
    const a = spec.groups.map((_, g) => evaluateIn(spec.seasonality!.amplitude, base, g));
    const ok: Check = (v) => v >= 0 && v < 1 && v === a[0];
    check(
      'seasonality',
      0,
      spec.startDay,
      a,
      ok,
      'one amplitude in [0, 1), the same in every group',
    );
  }
  (spec.interventions ?? []).forEach((v, i) => {
    const known = spec.contactLayers !== undefined && v.layer in spec.contactLayers;
    check(
      'intervention',
      i,
      v.startDay,
      [known ? v.reductionFactor : NaN],
      finiteRate,
      'a known contact layer and a finite factor >= 0',
    );
  });
  return problems;
}

/**
 * A spec the engine cannot run: {@link compileModel} found a rate or
 * multiplier that is not finite and >= 0, or a simulation's total rate
 * overflowed. Bad input: exit code 2.
 */
export class SpecError extends EpycloudError {
  override readonly code = 'SPEC';
  override readonly exitCode = 2;
  constructor(readonly problems: readonly SpecProblem[]) {
    const p = problems[0];
    super(
      p === undefined
        ? 'model spec cannot run: a rate or seasonal multiplier is not finite'
        : `model spec cannot run: ${p.item} ${p.index} is ${p.value} in group ${p.group} on day ${p.day}; expected ${p.expected}`,
    );
  }
}
