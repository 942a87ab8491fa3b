import { dayNumber, isoDate } from '../lib/engine/dates.js';
import { fanPoint, type FanPoint } from '../lib/figures/bands.js';
import { fanChart, type ObservedPoint } from '../lib/figures/fan-chart.js';
import { figureStem, type Figure } from '../lib/figures/figure.js';
import { seriesAxisTitle } from '../lib/figures/series-title.js';
import { findLocation } from '../lib/experiment/locations.js';
import type { HubRow } from '../lib/forecast/hub-file.js';
import { calibrationGenerations } from '../lib/figures/generation-chart.js';
import { hubView } from '../lib/figures/hub-chart.js';
import { posteriorHistograms, posteriorPairs } from '../lib/figures/posterior-charts.js';
import { posteriorSummary, type PosteriorParticles } from '../lib/figures/posterior-summary.js';
import type { PosteriorSummaryRow } from '../lib/report/report-data.js';
import type { LocationPool } from './forecast-tables.js';
import { selectNames, type Selection } from './output-tables.js';

type Kind = 'compartments' | 'transitions';

const panelOf = (pool: LocationPool): string => pool.results[0]!.population.name;

/** Every observed week of a location, from its results (the data each fit saw). */
function observedPoints(pool: LocationPool): ObservedPoint[] {
  const byDate = new Map<string, number>();
  for (const r of pool.results)
    r.calibration!.observed.dates.forEach((date, i) =>
      byDate.set(date, r.calibration!.observed.values[i]!),
    );
  const panel = panelOf(pool);
  return [...byDate]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, value]) => ({ panel, date, value }));
}

/** The fitting window: from the first observed week's first day to its last observed week's end. */
function fittingWindow(pool: LocationPool) {
  const dates = observedPoints(pool).map((p) => p.date);
  if (dates.length === 0) return [];
  return [{ panel: panelOf(pool), start: isoDate(dayNumber(dates[0]!)! - 6), end: dates.at(-1)! }];
}

/**
 * Reported admissions of each location: the fan of the compared series over
 * every projected trajectory, the data as points, the fitting window shaded,
 * the reference date marked.
 */
export function calibrationFan(
  pools: readonly LocationPool[],
  compared: ReadonlyMap<string, ReadonlyMap<string, number[]>>,
  referenceDate: string,
): Figure {
  const fans = pools.flatMap((pool) =>
    [...compared.get(pool.code)!]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([date, values]) => fanPoint(panelOf(pool), date, Float64Array.from(values))),
  );
  return fanChart({
    name: 'fan_calibration',
    title: 'Reported admissions: fit and projection against the data',
    yTitle: 'Admissions per week',
    fans,
    observed: pools.flatMap(observedPoints),
    windows: pools.flatMap(fittingWindow),
    referenceDate,
  });
}

/** The pooled fan of one series (total over groups) of one location, date by date. */
function pooledFan(pool: LocationPool, kind: Kind, name: string): FanPoint[] {
  const dates = [...new Set(pool.results.flatMap((r) => r.dates))].sort();
  return dates.map((date) => {
    const samples: number[] = [];
    for (const r of pool.results) {
      const d = r.dates.indexOf(date);
      if (d < 0) continue;
      const G = r.groups.length;
      const values = r[kind][name]!;
      for (let s = 0; s < r.nSims; s++) {
        let total = 0;
        for (let g = 0; g < G; g++) total += values[(s * r.dates.length + d) * G + g]!;
        samples.push(total);
      }
    }
    return fanPoint(panelOf(pool), date, Float64Array.from(samples));
  });
}

/** Projection fans of the series the output config's quantiles select, pooled per location. */
export function projectionFans(
  pools: readonly LocationPool[],
  selections: Readonly<Record<Kind, Selection>>,
  referenceDate: string,
  resample: 'none' | 'daily' | 'weekly',
): Figure[] {
  const first = pools[0]?.results[0];
  if (first === undefined) return [];
  return (['compartments', 'transitions'] as const).flatMap((kind) =>
    selectNames(Object.keys(first[kind]), selections[kind]).map((name) =>
      fanChart({
        name: figureStem('fan_projection', kind, name),
        title: `${name}, projected from the posterior: median with 50%, 80% and 95% intervals`,
        yTitle: seriesAxisTitle(kind, name, resample),
        fans: pools.flatMap((pool) => pooledFan(pool, kind, name)),
        referenceDate,
      }),
    ),
  );
}

/** Every figure of a forecast: data and fit, projections, the hub view, posteriors and calibration. */
export function forecastFigures(input: {
  readonly pools: readonly LocationPool[];
  readonly compared: ReadonlyMap<string, ReadonlyMap<string, number[]>>;
  readonly referenceDate: string;
  readonly selections: Readonly<Record<Kind, Selection>>;
  readonly resample: 'none' | 'daily' | 'weekly';
  readonly hubRows?: readonly HubRow[];
}): Figure[] {
  const { pools, referenceDate } = input;
  const results = pools.flatMap((p) => p.results);
  const particles = particlesOf(pools);
  const generations = results.flatMap((r) =>
    r.calibration!.generations.map((g) => ({ population: r.population.name, ...g })),
  );
  return [
    calibrationFan(pools, input.compared, referenceDate),
    ...(input.hubRows === undefined
      ? []
      : [hubView({ rows: input.hubRows, observed: pools.map(hubObserved) })]),
    ...projectionFans(pools, input.selections, referenceDate, input.resample),
    ...posteriorHistograms(particles),
    ...posteriorPairs(particles),
    calibrationGenerations(generations),
  ];
}

/** A location's observed weeks as the hub view labels them (FIPS code, name). */
function hubObserved(pool: LocationPool) {
  const points = observedPoints(pool);
  return {
    location: findLocation(pool.code)?.fips ?? pool.code,
    label: panelOf(pool),
    dates: points.map((p) => p.date),
    values: points.map((p) => p.value),
  };
}

/** The weighted posterior summary of every location's free quantities. */
export function forecastPosteriors(pools: readonly LocationPool[]): PosteriorSummaryRow[] {
  return posteriorSummary(particlesOf(pools));
}

/** Every task's posterior particles, labelled with its location's name. */
function particlesOf(pools: readonly LocationPool[]): PosteriorParticles[] {
  return pools.flatMap((p) =>
    p.results.map((r) => ({
      population: r.population.name,
      names: r.calibration!.names,
      values: r.calibration!.particles.values,
      weights: r.calibration!.particles.weights,
    })),
  );
}
