import { dayNumber, isoDate } from '../engine/dates.js';
import { pairName } from '../engine/model.js';
import type { Report } from './check-model.js';
import { lastObservedDay, type CalibrationConfig } from './calibration-schema.js';
import type { Location } from './locations.js';
import type { ModelConfig } from './schema.js';

/** Weekly observations of one location, sorted by date. */
export type WeeklyData = readonly { readonly date: string; readonly value: number }[];

const BASE = ['modelset', 'calibration'];

/** What the model declares `sampled`, by kind. */
function sampledOf(model: ModelConfig) {
  return {
    parameters: Object.entries(model.parameters)
      .filter(([, p]) => p.type === 'sampled')
      .map(([n]) => n),
    compartments: model.compartments.filter((c) => c.init?.kind === 'sampled').map((c) => c.id),
  };
}

function checkObserved(report: Report, calibration: CalibrationConfig, model: ModelConfig): void {
  const { observed } = calibration;
  const pairs = [...new Set(model.transitions.map((t) => pairName(t.source, t.target)))];
  const ids = model.compartments.map((c) => c.id);
  if (observed.transition !== undefined && !pairs.includes(observed.transition))
    report(
      [...BASE, 'observed', 'transition'],
      `unknown transition "${observed.transition}": expected one of ${pairs.join(', ')}`,
    );
  if (observed.compartment !== undefined && !ids.includes(observed.compartment))
    report(
      [...BASE, 'observed', 'compartment'],
      `unknown compartment "${observed.compartment}": expected one of ${ids.join(', ')}`,
    );
  const rho = observed.reporting_fraction;
  if (rho !== undefined && !(rho in model.parameters))
    report(
      [...BASE, 'observed', 'reporting_fraction'],
      `unknown parameter "${rho}": expected one of ${Object.keys(model.parameters).join(', ')}`,
    );
}

function checkPriors(
  report: Report,
  calibration: CalibrationConfig,
  model: ModelConfig,
  sampledByModelset: ReadonlySet<string>,
): void {
  const declared = sampledOf(model);
  const what = {
    parameters: 'a parameter of type sampled',
    compartments: 'a compartment with init: sampled',
  };
  for (const kind of ['parameters', 'compartments'] as const) {
    for (const [name, prior] of Object.entries(calibration.priors[kind])) {
      const path = [...BASE, 'priors', kind, name];
      if (!declared[kind].includes(name))
        report(
          path,
          `"${name}" is not ${what[kind]} in the basemodel: expected one of ${declared[kind].join(', ') || '(none)'}`,
        );
      else if (sampledByModelset.has(name))
        report(path, `"${name}" has a prior and is also sampled by modelset.sampling: pick one`);
      if (kind === 'compartments' && 'low' in prior && (prior.low < 0 || prior.high > 1))
        report(path, 'expected a prior on a proportion within 0..1');
    }
  }
  if (
    Object.keys(calibration.priors.parameters).length +
      Object.keys(calibration.priors.compartments).length ===
    0
  )
    report(
      [...BASE, 'priors'],
      'expected at least one prior: a calibration needs something to fit',
    );
}

function checkDates(report: Report, calibration: CalibrationConfig, model: ModelConfig): void {
  const last = lastObservedDay(calibration.reference_date);
  const start = dayNumber(calibration.window.start_date)!;
  if (start > last)
    report(
      [...BASE, 'window', 'start_date'],
      `the fitting window starts ${calibration.window.start_date}, after the last week the fit may see (${isoDate(last)}, reference_date ${calibration.reference_date} minus 7 days)`,
    );
  const firstWeekStart = isoDate(start - 6);
  if (model.timespan.start_date > firstWeekStart)
    report(
      [...BASE, 'window', 'start_date'],
      `the first fitted week (${firstWeekStart} to ${calibration.window.start_date}) starts before the simulation (model.timespan.start_date ${model.timespan.start_date}): fit from a later week or start the model on or before ${firstWeekStart}`,
    );
  const s = calibration.strategy;
  if (s.type === 'rejection' && s.top_fraction !== undefined && s.top_fraction * s.simulations < 1)
    report(
      [...BASE, 'strategy', 'top_fraction'],
      `top_fraction ${s.top_fraction} of ${s.simulations} simulations keeps no particle`,
    );
}

/** The weeks of a location's data that the fit sees: inside the window, never after reference_date - 7. */
export function fittedWeeks(data: WeeklyData, calibration: CalibrationConfig): WeeklyData {
  const last = isoDate(lastObservedDay(calibration.reference_date));
  return data.filter((w) => w.date >= calibration.window.start_date && w.date <= last);
}

/** Every location of the run needs data in the window, including the week ending reference_date - 7 (the hub's baseline week). */
function checkCoverage(
  report: Report,
  calibration: CalibrationConfig,
  locations: readonly Location[],
  data: ReadonlyMap<string, WeeklyData>,
): void {
  const last = isoDate(lastObservedDay(calibration.reference_date));
  for (const location of locations) {
    const weeks = fittedWeeks(locationData(data, location) ?? [], calibration);
    if (weeks.at(-1)?.date !== last)
      report(
        [...BASE, 'data'],
        `${calibration.data} has no value for ${location.code} (location "${location.fips || location.code}") for the week ending ${last} (reference_date ${calibration.reference_date} minus 7 days): the fit and the hub's rate change need it; got ${weeks.length} week(s) in the window${weeks.length ? `, the last ${weeks.at(-1)!.date}` : ''}`,
      );
  }
}

/** A location's series in the data: by FIPS (`25`, `US`) as the hub writes it, else by its code. */
export function locationData(
  data: ReadonlyMap<string, WeeklyData>,
  location: Location,
): WeeklyData | undefined {
  return data.get(location.fips) ?? data.get(location.code);
}

/** Cross-checks of a calibration against its basemodel, the locations of the run and the data. */
export function checkCalibration(
  report: Report,
  calibration: CalibrationConfig,
  context: {
    readonly model: ModelConfig;
    readonly sampledByModelset: ReadonlySet<string>;
    readonly locations: readonly Location[];
    readonly data: ReadonlyMap<string, WeeklyData> | undefined;
  },
): void {
  checkObserved(report, calibration, context.model);
  checkPriors(report, calibration, context.model, context.sampledByModelset);
  checkDates(report, calibration, context.model);
  if (context.data) checkCoverage(report, calibration, context.locations, context.data);
}
