import { dayNumber, isoDate } from '../engine/dates.js';
import { quantileSorted } from '../engine/quantiles.js';
import { apportion } from '../engine/sampling.js';
import { ValidationError } from '../errors.js';
import {
  HUB_COLUMNS,
  INC_HOSP_TARGET,
  MODEL_ID_PART,
  QUANTILE_LEVELS,
  RATE_CHANGE_CATEGORIES,
  RATE_CHANGE_TARGET,
  RATE_CHANGE_THRESHOLDS_TENTHS,
  TARGET_RULES,
  rateChangeCategory,
  type RateChangeCategory,
} from './hub-rules.js';

/** Predictive samples of one location, the writer's input. */
export interface LocationForecast {
  /** FIPS code or "US". */
  readonly location: string;
  readonly population: number;
  /** Observed admissions of the week ending reference_date - 7 (the rate-change baseline week). */
  readonly lastObserved: number;
  /** Horizon (-1..3) -> equally weighted samples of that week's admissions. */
  readonly samples: ReadonlyMap<number, ArrayLike<number>>;
}

/** One row of a submission file. */
export interface HubRow {
  readonly referenceDate: string;
  readonly target: string;
  readonly horizon: number;
  readonly targetEndDate: string;
  readonly location: string;
  readonly outputType: 'quantile' | 'pmf';
  readonly outputTypeId: string;
  readonly value: number;
}

/** pmf values are multiples of 1 / PMF_UNITS. */
const PMF_UNITS = 10_000;
const INC_HORIZONS = TARGET_RULES.get(INC_HOSP_TARGET)?.horizons ?? [];

/**
 * Rows of a FluSight submission for `referenceDate` (a Saturday): for each
 * location and sampled horizon, the 23 quantiles of `wk inc flu hosp` (type 7,
 * rounded to whole admissions as the hub requires since 2025-26, >= 0,
 * non-decreasing), and for horizons 0..3 the `wk flu hosp rate change` pmf
 * (fraction of samples per category, to 1e-4, summing to exactly 1). Sorted by
 * target, location, horizon, then level or category order.
 */
export function hubRows(referenceDate: string, forecasts: readonly LocationForecast[]): HubRow[] {
  const day = dayNumber(referenceDate);
  if (day === undefined)
    throw new ValidationError(`Reference date "${referenceDate}": expected a date YYYY-MM-DD`);
  const rows = forecasts.flatMap((forecast) =>
    [...forecast.samples].flatMap(([horizon, samples]) => {
      if (!INC_HORIZONS.includes(horizon) || samples.length === 0) {
        throw new ValidationError(
          `Location ${forecast.location}, horizon ${horizon}: expected a horizon in ${INC_HORIZONS.join(', ')} with at least one sample, got ${samples.length} sample(s)`,
        );
      }
      const base = {
        referenceDate,
        horizon,
        targetEndDate: isoDate(day + 7 * horizon),
        location: forecast.location,
      };
      const quantiles = incidenceQuantiles(samples).map((value, k) => ({
        ...base,
        target: INC_HOSP_TARGET,
        outputType: 'quantile' as const,
        outputTypeId: String(QUANTILE_LEVELS[k]),
        value,
      }));
      if (!RATE_CHANGE_THRESHOLDS_TENTHS.has(horizon)) return quantiles;
      const pmf = rateChangePmf(samples, forecast.lastObserved, forecast.population, horizon);
      const categories = RATE_CHANGE_CATEGORIES.map((category) => ({
        ...base,
        target: RATE_CHANGE_TARGET,
        outputType: 'pmf' as const,
        outputTypeId: category,
        value: pmf[category],
      }));
      return [...quantiles, ...categories];
    }),
  );
  return rows.sort(
    (a, b) =>
      compare(a.target, b.target) || compare(a.location, b.location) || a.horizon - b.horizon,
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The 23 hub quantiles of samples: type 7, rounded to whole admissions, >= 0, non-decreasing. */
export function incidenceQuantiles(samples: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(samples).sort();
  let floor = 0;
  return QUANTILE_LEVELS.map(
    (level) => (floor = Math.max(floor, Math.round(quantileSorted(sorted, level)))),
  );
}

/**
 * Rate-change pmf at a horizon 0..3: each sample's change against
 * `lastObserved`, categorized by {@link rateChangeCategory}; category
 * fractions rounded to 1e-4 by largest remainder, so they sum to exactly 1.
 */
export function rateChangePmf(
  samples: ArrayLike<number>,
  lastObserved: number,
  population: number,
  horizon: number,
): Record<RateChangeCategory, number> {
  const counts = RATE_CHANGE_CATEGORIES.map(() => 0);
  for (let i = 0; i < samples.length; i++) {
    counts[
      RATE_CHANGE_CATEGORIES.indexOf(
        rateChangeCategory(samples[i]! - lastObserved, population, horizon),
      )
    ]! += 1;
  }
  const units = apportion(PMF_UNITS, counts);
  return Object.fromEntries(
    RATE_CHANGE_CATEGORIES.map((category, k) => [category, units[k]! / PMF_UNITS]),
  ) as Record<RateChangeCategory, number>;
}

/** CSV text of rows, header first, in {@link HUB_COLUMNS} order, one line per row, ending with a newline. */
export function hubCsv(rows: readonly HubRow[]): string {
  const lines = rows.map((r) =>
    [
      r.referenceDate,
      r.target,
      r.horizon,
      r.targetEndDate,
      r.location,
      r.outputType,
      r.outputTypeId,
      r.value,
    ].join(','),
  );
  return [HUB_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

/** The submission's file name `<referenceDate>-<team>-<model>.csv`; team and model are hub abbreviations. */
export function hubFileName(referenceDate: string, team: string, model: string): string {
  if (dayNumber(referenceDate) === undefined)
    throw new ValidationError(`Reference date "${referenceDate}": expected a date YYYY-MM-DD`);
  for (const [what, part] of [
    ['team', team],
    ['model', model],
  ] as const) {
    if (!MODEL_ID_PART.test(part))
      throw new ValidationError(
        `${what} "${part}": expected 1 to 16 letters, digits, _ or + (no hyphens)`,
      );
  }
  return `${referenceDate}-${team}-${model}.csv`;
}

/** Rows of a submission's CSV text written in {@link HUB_COLUMNS} order (our own hub files; check others with `checkHubFile` first). */
export function hubRowsFromCsv(text: string): HubRow[] {
  const [header, ...lines] = text.trim().split('\n');
  if (header !== HUB_COLUMNS.join(','))
    throw new ValidationError(
      `Expected a hub file with the header ${HUB_COLUMNS.join(',')}, got "${header}"`,
    );
  return lines.map((line) => {
    const [
      referenceDate,
      target,
      horizon,
      targetEndDate,
      location,
      outputType,
      outputTypeId,
      value,
    ] = line.split(',');
    return {
      referenceDate: referenceDate!,
      target: target!,
      horizon: Number(horizon),
      targetEndDate: targetEndDate!,
      location: location!,
      outputType: outputType as HubRow['outputType'],
      outputTypeId: outputTypeId!,
      value: Number(value),
    };
  });
}
