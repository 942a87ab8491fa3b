import { evaluateExpression, parseExpression, type Expr } from './expression.js';
import type { ModelSpec, ParameterOverride, TransitionSpec } from './spec.js';

/** Per-group values of every parameter, free and derived, by name. */
export type ParameterValues = Record<string, Float64Array>;

const PARSED = new Map<string, Expr>();

/** Parses an expression once per source text (compiling a model per particle reuses the trees). */
function parsed(source: string): Expr {
  let expr = PARSED.get(source);
  if (expr === undefined) {
    if (PARSED.size >= 10_000) PARSED.clear();
    expr = parseExpression(source);
    PARSED.set(source, expr);
  }
  return expr;
}

/** Evaluates an expression (or takes a number) in group g of `values`; an unknown name throws. */
export function evaluateIn(source: string | number, values: ParameterValues, g: number): number {
  if (typeof source === 'number') return source;
  return evaluateExpression(parsed(source), (name) => {
    const v = values[name];
    if (v === undefined) throw new RangeError(`unknown parameter "${name}" in "${source}"`);
    return v[g]!;
  });
}

function evaluateAll(
  source: string | number,
  values: ParameterValues,
  groups: number,
): Float64Array {
  return Float64Array.from({ length: groups }, (_, g) => evaluateIn(source, values, g));
}

/**
 * Per-group values of every parameter with the given overrides (indexes into
 * `spec.overrides`) in force: `spec.parameters`, then `spec.derived` in
 * order. An override replaces its parameter (free or derived) in every group;
 * its expression is evaluated over the values WITHOUT overrides, so
 * `beta * 0.7` means 70% of the usual beta.
 */
export function resolveParameters(
  spec: ModelSpec,
  overrides: readonly number[] = [],
): ParameterValues {
  const G = spec.groups.length;
  const base = overrides.length > 0 ? resolveParameters(spec) : undefined;
  const forced = new Map<string, ParameterOverride>(
    overrides.map((i) => [spec.overrides![i]!.parameter, spec.overrides![i]!]),
  );
  const values: ParameterValues = Object.create(null) as ParameterValues; // no inherited names: "toString" stays unknown
  for (const [name, v] of Object.entries(spec.parameters)) {
    const o = forced.get(name);
    values[name] = o && base ? evaluateAll(o.value, base, G) : Float64Array.from(v);
  }
  for (const d of spec.derived ?? []) {
    const o = forced.get(d.name);
    values[d.name] =
      o && base ? evaluateAll(o.value, base, G) : evaluateAll(d.expression, values, G);
  }
  return values;
}

/** Per-group rates of a transition: its expression over `values` (default: the parameters without overrides). */
export function transitionRates(
  spec: ModelSpec,
  transition: TransitionSpec,
  values = resolveParameters(spec),
): Float64Array {
  return evaluateAll(transition.rate, values, spec.groups.length);
}

/** The seasonal amplitude (group 0 of its expression over the values without overrides), or 0 without seasonality. */
export function seasonalAmplitude(spec: ModelSpec, values = resolveParameters(spec)): number {
  return spec.seasonality === undefined ? 0 : evaluateIn(spec.seasonality.amplitude, values, 0);
}
