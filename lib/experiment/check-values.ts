import { dayNumber, isoDate } from '../engine/dates.js';
import { expressionNames, parseExpression } from '../engine/expression.js';
import type { ModelSpec } from '../engine/spec.js';
import { specProblems, type SpecProblem } from '../engine/spec-problems.js';
import type { Report } from './check-model.js';
import type { ModelConfig } from './schema.js';
import { derivedParameters, freeParameters, timeParts, type ContactLayers } from './spec-parts.js';
import type { ConfigPath } from './yaml-checks.js';

/** Where a spec problem sits in the basemodel, and the expression (or value) that gave it. */
export function problemSource(
  model: ModelConfig,
  spec: ModelSpec,
  p: SpecProblem,
): { path: ConfigPath; text: string } {
  if (p.item === 'transition')
    return {
      path: ['model', 'transitions', p.index, 'rate'],
      text: spec.transitions[p.index]!.rate,
    };
  if (p.item === 'derived') {
    const d = spec.derived![p.index]!;
    return { path: ['model', 'parameters', d.name, 'expression'], text: d.expression };
  }
  if (p.item === 'override')
    return {
      path: ['model', 'overrides', p.index, 'value'],
      text: String(spec.overrides![p.index]!.value),
    };
  if (p.item === 'seasonality')
    return {
      path: ['model', 'seasonality', 'amplitude'],
      text: String(model.seasonality!.amplitude),
    };
  return { path: ['model', 'interventions', p.index], text: spec.interventions![p.index]!.layer };
}

/** The names of sampled parameters and of calculated ones that depend on them. */
function sampledClosure(model: ModelConfig, spec: ModelSpec): Set<string> {
  const names = new Set(
    Object.keys(model.parameters).filter((n) => model.parameters[n]!.type === 'sampled'),
  );
  for (const d of spec.derived ?? [])
    if (expressionNames(parseExpression(d.expression)).some((n) => names.has(n))) names.add(d.name);
  return names;
}

/**
 * Evaluates every rate, calculated parameter, override and seasonal amplitude
 * of the basemodel in every time segment, and reports those that are not
 * finite (or negative, for rates). Values that depend on sampled parameters
 * are checked per task when Stage A builds them. Run on a structurally valid model.
 */
export function checkValues(
  report: Report,
  model: ModelConfig,
  groups: readonly string[],
  layers: ContactLayers | undefined,
): void {
  const { timespan } = model;
  const startDay = dayNumber(timespan.start_date)!;
  const spec: ModelSpec = {
    compartments: model.compartments.map((c) => c.id),
    groups,
    groupSizes: groups.map(() => 1),
    contact: groups.map(() => groups.map(() => 1)),
    init: {},
    parameters: freeParameters(model, groups.length, {}),
    derived: derivedParameters(model),
    transitions: model.transitions.map((t) => ({ ...t, rate: String(t.rate) })),
    startDay,
    dt: timespan.delta_t,
    steps: Math.max(
      1,
      Math.floor((dayNumber(timespan.end_date)! - startDay) / timespan.delta_t + 1e-9) + 1,
    ),
    ...timeParts(model, layers),
  };
  const sampled = sampledClosure(model, spec);
  for (const p of specProblems(spec)) {
    if (p.item === 'intervention') continue; // layers and dates are checked with the timeline
    const { path, text } = problemSource(model, spec, p);
    if (sampled.size > 0 && expressionNames(parseExpression(text)).some((n) => sampled.has(n)))
      continue;
    const when = p.day > startDay ? ` from ${isoDate(p.day)}` : '';
    report(
      path,
      `"${text}" evaluates to ${p.value} in group ${groups[p.group]}${when}: expected ${p.expected}`,
    );
  }
}
