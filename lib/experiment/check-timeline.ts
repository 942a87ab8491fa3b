import { checkExpression, type Report } from './check-model.js';
import type { ModelConfig } from './schema.js';

interface Window {
  readonly start_date: string;
  readonly end_date: string;
}

/** start <= end, and the window overlaps the model's timespan (else it would never apply). */
function checkWindow(
  report: Report,
  path: (string | number)[],
  window: Window,
  model: ModelConfig,
): void {
  const { start_date: start, end_date: end } = model.timespan;
  if (window.start_date > window.end_date) {
    report(
      [...path, 'end_date'],
      `end_date ${window.end_date} is before start_date ${window.start_date}`,
    );
  } else if (window.start_date > end || window.end_date < start) {
    report(
      path,
      `${window.start_date}..${window.end_date} is outside the timespan ${start}..${end}: it would never apply`,
    );
  }
}

/** Overrides name known parameters, use known names in expressions, and never overlap for one parameter. */
function checkOverrides(report: Report, model: ModelConfig): void {
  const params = new Set(Object.keys(model.parameters));
  const overrides = model.overrides ?? [];
  overrides.forEach((o, i) => {
    const path = ['model', 'overrides', i];
    if (!params.has(o.parameter)) {
      report(
        [...path, 'parameter'],
        `unknown parameter "${o.parameter}": expected one of ${[...params].join(', ') || '(no parameters defined)'}`,
      );
    }
    if (typeof o.value === 'string') checkExpression(report, [...path, 'value'], o.value, params);
    checkWindow(report, path, o, model);
    const clash = overrides.findIndex(
      (p, j) =>
        j < i &&
        p.parameter === o.parameter &&
        p.start_date <= o.end_date &&
        o.start_date <= p.end_date,
    );
    if (clash >= 0) {
      report(
        path,
        `overlaps overrides[${clash}] of "${o.parameter}" (${overrides[clash]!.start_date}..${overrides[clash]!.end_date}): expected disjoint windows`,
      );
    }
  });
}

/** The amplitude names a parameter with one value for every group. */
function checkSeasonality(report: Report, model: ModelConfig): void {
  const amplitude = model.seasonality?.amplitude;
  if (typeof amplitude !== 'string') return;
  const path = ['model', 'seasonality', 'amplitude'];
  const p = model.parameters[amplitude];
  if (p === undefined) {
    report(
      path,
      `unknown parameter "${amplitude}": expected a number in [0, 1) or one of ${Object.keys(model.parameters).join(', ') || '(no parameters defined)'}`,
    );
  } else if (p.type === 'age_varying') {
    report(
      path,
      `parameter "${amplitude}" is age_varying: expected a parameter with one value for every group`,
    );
  }
}

/** Interventions act on layers of `population.contact_layers`. */
function checkInterventions(report: Report, model: ModelConfig): void {
  const layers = Object.keys(model.population.contact_layers ?? {});
  (model.interventions ?? []).forEach((v, i) => {
    const path = ['model', 'interventions', i];
    if (!layers.includes(v.layer)) {
      const expected =
        layers.length > 0
          ? `one of ${layers.join(', ')}`
          : 'population.contact_layers to be defined';
      report([...path, 'layer'], `unknown contact layer "${v.layer}": expected ${expected}`);
    }
    checkWindow(report, path, v, model);
  });
}

/** Checks of what changes in time: parameter overrides, seasonal forcing, contact interventions. */
export function checkTimeline(report: Report, model: ModelConfig): void {
  checkOverrides(report, model);
  checkSeasonality(report, model);
  checkInterventions(report, model);
}
