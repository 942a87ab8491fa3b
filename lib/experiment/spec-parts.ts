import { dayNumber } from '../engine/dates.js';
import { expressionNames, parseExpression } from '../engine/expression.js';
import type { DerivedParameter, ModelSpec } from '../engine/spec.js';
import type { ModelConfig } from './schema.js';

/** Contact layers by name, each `C[g][h]`. */
export type ContactLayers = Readonly<Record<string, readonly (readonly number[])[]>>;

/** Free parameter values per group: scalars broadcast, age-varying copied, sampled ones from `sampled` (NaN when absent). */
export function freeParameters(
  model: ModelConfig,
  groups: number,
  sampled: Readonly<Record<string, number>>,
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, p] of Object.entries(model.parameters)) {
    if (p.type === 'scalar') out[name] = Array<number>(groups).fill(p.value);
    else if (p.type === 'age_varying') out[name] = [...p.values];
    else if (p.type === 'sampled') out[name] = Array<number>(groups).fill(sampled[name] ?? NaN);
  }
  return out;
}

/** Calculated parameters in dependency order (validation has rejected cycles and unknown names). */
export function derivedParameters(model: ModelConfig): DerivedParameter[] {
  const calculated = new Map<string, string>();
  for (const [name, p] of Object.entries(model.parameters))
    if (p.type === 'calculated') calculated.set(name, p.expression);
  const ordered: DerivedParameter[] = [];
  const done = new Set<string>();
  const visit = (name: string): void => {
    const expression = calculated.get(name);
    if (expression === undefined || done.has(name)) return;
    done.add(name);
    expressionNames(parseExpression(expression)).forEach(visit);
    ordered.push({ name, expression });
  };
  [...calculated.keys()].forEach(visit);
  return ordered;
}

const day = (date: string): number => dayNumber(date)!;

/** What changes in time, in day numbers: overrides, seasonality, contact layers and their interventions (only the keys in use). */
export function timeParts(
  model: ModelConfig,
  layers: ContactLayers | undefined,
): Partial<ModelSpec> {
  const { overrides, seasonality, interventions } = model;
  return {
    ...(overrides?.length
      ? {
          overrides: overrides.map((o) => ({
            parameter: o.parameter,
            startDay: day(o.start_date),
            endDay: day(o.end_date),
            value: o.value,
          })),
        }
      : {}),
    ...(seasonality
      ? {
          seasonality: {
            amplitude: seasonality.amplitude,
            peakDay: day(seasonality.peak_date),
            periodDays: seasonality.period_days,
          },
        }
      : {}),
    ...(layers ? { contactLayers: layers } : {}),
    ...(interventions?.length
      ? {
          interventions: interventions.map((v) => ({
            layer: v.layer,
            startDay: day(v.start_date),
            endDay: day(v.end_date),
            reductionFactor: v.reduction_factor,
          })),
        }
      : {}),
  };
}
