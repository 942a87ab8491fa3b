import {
  ExpressionError,
  expressionNames,
  parseExpression,
  type Expr,
} from '../engine/expression.js';
import { pairName } from '../engine/model.js';
import { findLocation, LOCATIONS } from './locations.js';
import type { ModelConfig, OutputConfig } from './schema.js';
import type { YamlSource } from './yaml-source.js';
import type { ConfigPath } from './yaml-checks.js';

/** Records one problem at a path of a file. */
export type Report = (path: ConfigPath, message: string) => void;

/** A reporter that formats problems of `source` into `problems`. */
export function reporter(source: YamlSource, problems: string[]): Report {
  return (path, message) => problems.push(source.problem(path, message));
}

/** `unknown location "X": expected ...` */
export function unknownLocation(code: string): string {
  const first = LOCATIONS.slice(0, 4).map((l) => l.code);
  return `unknown location "${code}": expected US or an ISO 3166-2 code such as US-MA, or a FIPS code such as 25 (one of the 53 FluSight locations: ${first.join(', ')}, ...)`;
}

/** Parses an expression and checks it names only known parameters; the AST, or undefined on a syntax error. */
export function checkExpression(
  report: Report,
  path: ConfigPath,
  text: string,
  known: ReadonlySet<string>,
): Expr | undefined {
  try {
    const expr = parseExpression(text);
    for (const name of expressionNames(expr).filter((n) => !known.has(n))) {
      report(
        path,
        `unknown parameter "${name}" in "${text}": expected one of ${[...known].join(', ') || '(no parameters defined)'}`,
      );
    }
    return expr;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    const shown = text.length > 80 ? `${text.slice(0, 60)}...` : text;
    report(path, `invalid expression "${shown}": ${error.message}`);
    return undefined;
  }
}

/** Calculated parameters must not depend on themselves, directly or through others. */
function checkCycles(report: Report, deps: ReadonlyMap<string, readonly string[]>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      report(
        ['model', 'parameters', name],
        `calculated parameters form a cycle: ${[...trail, name].join(' -> ')}`,
      );
      return;
    }
    state.set(name, 'visiting');
    for (const dep of deps.get(name) ?? []) visit(dep, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of deps.keys()) visit(name, []);
}

function checkCompartments(report: Report, model: ModelConfig, groups: number): void {
  const ids = model.compartments.map((c) => c.id);
  model.compartments.forEach((c, i) => {
    if (ids.indexOf(c.id) !== i)
      report(['model', 'compartments', i, 'id'], `duplicate compartment id "${c.id}"`);
    if (c.init?.kind === 'per_group' && c.init.values.length !== groups) {
      report(
        ['model', 'compartments', i, 'init'],
        `expected ${groups} count(s), one per age group, got ${c.init.values.length}`,
      );
    }
  });
  const defaults = model.compartments.filter((c) => c.init?.kind === 'default').length;
  if (defaults !== 1) {
    report(
      ['model', 'compartments'],
      `expected exactly one compartment with init: default (it takes the rest of the population), found ${defaults}`,
    );
  }
}

function checkTransitions(report: Report, model: ModelConfig): void {
  const ids = model.compartments.map((c) => c.id);
  const params = new Set(Object.keys(model.parameters));
  model.transitions.forEach((t, i) => {
    const path = ['model', 'transitions', i];
    const refs: [string, string][] = [
      ['source', t.source],
      ['target', t.target],
      ...(t.type === 'mediated' ? [['mediator', t.mediator] as [string, string]] : []),
    ];
    for (const [key, id] of refs.filter(([, id]) => !ids.includes(id))) {
      report([...path, key], `unknown compartment "${id}": expected one of ${ids.join(', ')}`);
    }
    if (t.source === t.target)
      report([...path, 'target'], `source and target are both "${t.source}"`);
    if (typeof t.rate === 'string') checkExpression(report, [...path, 'rate'], t.rate, params);
  });
}

function checkParameters(report: Report, model: ModelConfig, groups: number): void {
  const params = new Set(Object.keys(model.parameters));
  const deps = new Map<string, string[]>();
  for (const [name, p] of Object.entries(model.parameters)) {
    const path = ['model', 'parameters', name];
    if (p.type === 'age_varying' && p.values.length !== groups) {
      report(
        [...path, 'values'],
        `expected ${groups} value(s), one per age group, got ${p.values.length}`,
      );
    }
    if (p.type !== 'calculated') continue;
    const expr = checkExpression(report, [...path, 'expression'], p.expression, params);
    if (expr)
      deps.set(
        name,
        expressionNames(expr).filter((n) => model.parameters[n]?.type === 'calculated'),
      );
  }
  checkCycles(report, deps);
}

/** Cross-field checks of a basemodel with `groups` age groups. */
export function checkModel(report: Report, model: ModelConfig, groups: number): void {
  checkCompartments(report, model, groups);
  checkTransitions(report, model);
  checkParameters(report, model, groups);
  const { start_date: start, end_date: end } = model.timespan;
  if (start > end)
    report(['model', 'timespan', 'end_date'], `end_date ${end} is before start_date ${start}`);
  checkPopulation(report, model.population);
}

/** A known location (ISO or FIPS code), or a custom one with a size; one contact matrix or contact layers, not both. */
function checkPopulation(report: Report, population: ModelConfig['population']): void {
  const path = ['model', 'population'];
  if (!findLocation(population.name) && population.size === undefined) {
    report(
      [...path, 'name'],
      `${unknownLocation(population.name)}; or give population.size for a custom population`,
    );
  }
  if (population.contact_matrix !== undefined && population.contact_layers !== undefined) {
    report(
      [...path, 'contact_layers'],
      'contact_matrix and contact_layers are mutually exclusive: keep one',
    );
  }
  if (
    population.contact_layers !== undefined &&
    Object.keys(population.contact_layers).length === 0
  ) {
    report([...path, 'contact_layers'], 'expected at least one layer, e.g. {home: data/home.csv}');
  }
}

/** Output selections must name compartments and transitions (`S_to_I`) of the model. */
export function checkOutput(report: Report, output: OutputConfig, model: ModelConfig): void {
  const allowed = {
    compartments: model.compartments.map((c) => c.id),
    transitions: [...new Set(model.transitions.map((t) => pairName(t.source, t.target)))],
  };
  for (const section of ['quantiles', 'trajectories'] as const) {
    for (const kind of ['compartments', 'transitions'] as const) {
      const selection = output[section][kind];
      if (!Array.isArray(selection)) continue;
      selection.forEach((name, i) => {
        if (!allowed[kind].includes(name)) {
          report(
            ['output', section, kind, i],
            `unknown ${kind.slice(0, -1)} "${name}": expected one of ${allowed[kind].join(', ')}`,
          );
        }
      });
    }
  }
}
