import { ExpressionError, expressionNames, parseExpression, type Expr } from '../engine/expression.js';
import { pairName } from '../engine/model.js';
import type { ModelConfig, ModelsetConfig, OutputConfig } from './schema.js';
import { findLocation, LOCATIONS } from './locations.js';
import type { YamlSource } from './yaml-source.js';

/** Checks an expression: parses, and names only known parameters. Returns problems, or the AST. */
function checkExpression(
  source: YamlSource,
  path: (string | number)[],
  text: string,
  known: ReadonlySet<string>,
  problems: string[],
): Expr | undefined {
  try {
    const expr = parseExpression(text);
    for (const name of expressionNames(expr)) {
      if (!known.has(name))
        problems.push(
          source.problem(
            path,
            `unknown parameter "${name}" in "${text}": expected one of ${[...known].join(', ') || '(no parameters defined)'}`,
          ),
        );
    }
    return expr;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    problems.push(source.problem(path, `invalid expression "${text}": ${error.message}`));
    return undefined;
  }
}

/** Calculated parameters must not depend on themselves, directly or through others. */
function checkCycles(source: YamlSource, deps: ReadonlyMap<string, readonly string[]>, problems: string[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      problems.push(source.problem(['model', 'parameters', name], `calculated parameters form a cycle: ${[...trail, name].join(' -> ')}`));
      return;
    }
    state.set(name, 'visiting');
    for (const dep of deps.get(name) ?? []) visit(dep, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of deps.keys()) visit(name, []);
}

/** Cross-field checks of a basemodel for `groups` age groups. */
export function checkModel(source: YamlSource, model: ModelConfig, groups: number, problems: string[]): void {
  const ids = model.compartments.map((c) => c.id);
  model.compartments.forEach((c, i) => {
    if (ids.indexOf(c.id) !== i) problems.push(source.problem(['model', 'compartments', i, 'id'], `duplicate compartment id "${c.id}"`));
    if (c.init?.kind === 'per_group' && c.init.values.length !== groups) {
      problems.push(
        source.problem(['model', 'compartments', i, 'init'], `expected ${groups} count(s), one per age group, got ${c.init.values.length}`),
      );
    }
  });
  const defaults = model.compartments.filter((c) => c.init?.kind === 'default').length;
  if (defaults !== 1)
    problems.push(
      source.problem(
        ['model', 'compartments'],
        `expected exactly one compartment with init: default (it takes the rest of the population), found ${defaults}`,
      ),
    );
  const known = new Set(ids);
  const params = new Set(Object.keys(model.parameters));
  model.transitions.forEach((t, i) => {
    const path = ['model', 'transitions', i];
    for (const key of ['source', 'target', ...(t.type === 'mediated' ? ['mediator'] : [])] as const) {
      const id = (t as Record<string, string>)[key]!;
      if (!known.has(id)) problems.push(source.problem([...path, key], `unknown compartment "${id}": expected one of ${ids.join(', ')}`));
    }
    if (t.source === t.target) problems.push(source.problem([...path, 'target'], `source and target are both "${t.source}"`));
    if (typeof t.rate === 'string') checkExpression(source, [...path, 'rate'], t.rate, params, problems);
  });
  const deps = new Map<string, string[]>();
  for (const [name, p] of Object.entries(model.parameters)) {
    const path = ['model', 'parameters', name];
    if (p.type === 'age_varying' && p.values.length !== groups)
      problems.push(source.problem([...path, 'values'], `expected ${groups} value(s), one per age group, got ${p.values.length}`));
    if (p.type === 'calculated') {
      const expr = checkExpression(source, [...path, 'expression'], p.expression, params, problems);
      if (expr)
        deps.set(
          name,
          expressionNames(expr).filter((n) => model.parameters[n]?.type === 'calculated'),
        );
    }
  }
  checkCycles(source, deps, problems);
  if (model.timespan.start_date > model.timespan.end_date)
    problems.push(
      source.problem(
        ['model', 'timespan', 'end_date'],
        `end_date ${model.timespan.end_date} is before start_date ${model.timespan.start_date}`,
      ),
    );
  if (!findLocation(model.population.name))
    problems.push(source.problem(['model', 'population', 'name'], unknownLocation(model.population.name)));
}

/** `unknown location "X": expected ...` */
export function unknownLocation(code: string): string {
  return `unknown location "${code}": expected US or an ISO 3166-2 code such as US-MA (one of the 53 FluSight locations: ${LOCATIONS.slice(
    0,
    4,
  )
    .map((l) => l.code)
    .join(', ')}, ...)`;
}

/** Modelset checks against its basemodel: known populations, sampled names match the model's `sampled` entries. */
export function checkModelset(source: YamlSource, modelset: ModelsetConfig, model: ModelConfig, problems: string[]): void {
  if (Array.isArray(modelset.population_names)) {
    modelset.population_names.forEach((code, i) => {
      if (!findLocation(code)) problems.push(source.problem(['modelset', 'population_names', i], unknownLocation(code)));
      if (modelset.population_names.indexOf(code) !== i)
        problems.push(source.problem(['modelset', 'population_names', i], `duplicate location "${code}"`));
    });
  }
  const grid = modelset.sampling?.grid;
  const lhs = modelset.sampling?.latin_hypercube;
  const sampledParams = Object.entries(model.parameters)
    .filter(([, p]) => p.type === 'sampled')
    .map(([n]) => n);
  const sampledInits = model.compartments.filter((c) => c.init?.kind === 'sampled').map((c) => c.id);
  const check = (
    section: 'grid' | 'latin_hypercube',
    kind: 'parameters' | 'compartments',
    names: string[],
    allowed: string[],
    what: string,
  ): void => {
    for (const name of names) {
      if (!allowed.includes(name))
        problems.push(
          source.problem(
            ['modelset', 'sampling', section, kind, name],
            `"${name}" is not ${what} in the basemodel: expected one of ${allowed.join(', ') || '(none)'}`,
          ),
        );
    }
  };
  check('grid', 'parameters', Object.keys(grid?.parameters ?? {}), sampledParams, 'a parameter of type sampled');
  check('latin_hypercube', 'parameters', Object.keys(lhs?.parameters ?? {}), sampledParams, 'a parameter of type sampled');
  check('grid', 'compartments', Object.keys(grid?.compartments ?? {}), sampledInits, 'a compartment with init: sampled');
  check('latin_hypercube', 'compartments', Object.keys(lhs?.compartments ?? {}), sampledInits, 'a compartment with init: sampled');
  for (const name of [...sampledParams, ...sampledInits]) {
    const kind = sampledParams.includes(name) ? 'parameters' : 'compartments';
    const inGrid = name in (grid?.[kind] ?? {});
    const inLhs = name in (lhs?.[kind] ?? {});
    if (inGrid && inLhs)
      problems.push(
        source.problem(
          ['modelset', 'sampling', 'latin_hypercube', kind, name],
          `"${name}" is sampled both by the grid and the Latin hypercube: pick one`,
        ),
      );
  }
  if (grid?.start_date && lhs?.start_date)
    problems.push(
      source.problem(
        ['modelset', 'sampling', 'latin_hypercube', 'start_date'],
        'start_date is sampled both by the grid and the Latin hypercube: pick one',
      ),
    );
  const latest = [...(grid?.start_date ?? []), ...(lhs?.start_date ? [lhs.start_date.high] : [])].find((d) => d > model.timespan.end_date);
  if (latest)
    problems.push(
      source.problem(['modelset', 'sampling'], `sampled start_date ${latest} is after the model's end_date ${model.timespan.end_date}`),
    );
}

/** Names sampled by a modelset (grid or Latin hypercube). */
export function sampledNames(modelset: ModelsetConfig | undefined): Set<string> {
  const s = modelset?.sampling;
  return new Set(
    [s?.grid?.parameters, s?.grid?.compartments, s?.latin_hypercube?.parameters, s?.latin_hypercube?.compartments].flatMap((r) =>
      Object.keys(r ?? {}),
    ),
  );
}

/** Output selections must name compartments and transitions (`S_to_I`) of the model. */
export function checkOutput(source: YamlSource, output: OutputConfig, model: ModelConfig, problems: string[]): void {
  const comps = model.compartments.map((c) => c.id);
  const pairs = [...new Set(model.transitions.map((t) => pairName(t.source, t.target)))];
  const check = (section: 'quantiles' | 'trajectories', kind: 'compartments' | 'transitions', allowed: string[]): void => {
    const selection = output[section][kind];
    if (!Array.isArray(selection)) return;
    selection.forEach((name, i) => {
      if (!allowed.includes(name))
        problems.push(
          source.problem(['output', section, kind, i], `unknown ${kind.slice(0, -1)} "${name}": expected one of ${allowed.join(', ')}`),
        );
    });
  };
  for (const section of ['quantiles', 'trajectories'] as const) {
    check(section, 'compartments', comps);
    check(section, 'transitions', pairs);
  }
}
