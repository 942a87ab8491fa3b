import { dayNumber, isoDate } from '../engine/dates.js';
import { ValidationError } from '../errors.js';
import { flusightBaseline, type BaselineOptions } from './baseline.js';
import type { HubRow } from './hub-file.js';
import { INC_HOSP_TARGET, LOCATION_CODES, QUANTILE_LEVELS } from './hub-rules.js';
import type { TruthPoint } from './target-data.js';
import { wis, type QuantileForecast } from './wis.js';

/** The WIS of the model and of the baseline for one location and horizon. */
export interface ScoreCell {
  readonly location: string;
  readonly horizon: number;
  readonly targetEndDate: string;
  readonly observed: number;
  readonly modelWis: number;
  readonly baselineWis: number;
}

/** Scores of one submission against the truth. */
export interface ForecastScore {
  readonly referenceDate: string;
  /** Cells scored, by location then horizon. */
  readonly cells: readonly ScoreCell[];
  readonly modelWisSum: number;
  readonly baselineWisSum: number;
  /** modelWisSum / baselineWisSum over the same cells; undefined when no cell or a zero baseline sum. */
  readonly relativeWis: number | undefined;
  /** Why cells were not scored (no truth at the target week, no last observed week for the baseline, incomplete quantiles). */
  readonly skipped: readonly string[];
}

/** Input of {@link scoreForecast}. */
export interface ScoreInput {
  /** Rows of one submission (one reference date). */
  readonly hubRows: readonly HubRow[];
  /** Observed admissions by location (see `parseTargetData`). */
  readonly truth: ReadonlyMap<string, readonly TruthPoint[]>;
  /** Baseline options; its seed is extended with the reference day and the location. */
  readonly baseline?: BaselineOptions;
}

/** Horizons the hub scores (horizon -1 is not scored). */
const SCORED_HORIZONS: readonly number[] = [0, 1, 2, 3];

/**
 * Weighted interval scores of the `wk inc flu hosp` quantiles of a submission
 * and of the FluSight baseline, built from the truth up to reference_date - 7,
 * per location and horizon 0..3, against the truth at target_end_date; and the
 * relative WIS, the model's WIS sum over the baseline's on the same cells.
 * Cells without truth are skipped and listed. The truth given is used both as
 * the baseline's history and as the observations.
 */
export function scoreForecast(input: ScoreInput): ForecastScore {
  const referenceDate = singleReferenceDate(input.hubRows);
  const day = dayNumber(referenceDate)!;
  const model = modelForecasts(input.hubRows);
  const cells: ScoreCell[] = [];
  const skipped: string[] = [];
  for (const [location, byHorizon] of [...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const history = input.truth.get(location) ?? [];
    const observed = new Map(history.map((point) => [point.date, point.value]));
    if (!observed.has(isoDate(day - 7))) {
      skipped.push(
        `location ${location}: no truth for the last observed week ${isoDate(day - 7)}, so no baseline`,
      );
      continue;
    }
    const seed = [...(input.baseline?.seed ?? [0]), day, LOCATION_CODES.indexOf(location) + 1];
    const baseline = flusightBaseline(history, referenceDate, { ...input.baseline, seed });
    for (const horizon of SCORED_HORIZONS) {
      const targetEndDate = isoDate(day + 7 * horizon);
      const y = observed.get(targetEndDate);
      const forecast = byHorizon.get(horizon);
      if (forecast === undefined || y === undefined) {
        if (forecast !== undefined)
          skipped.push(`location ${location}, horizon ${horizon}: no truth for ${targetEndDate}`);
        continue;
      }
      cells.push({
        location,
        horizon,
        targetEndDate,
        observed: y,
        modelWis: wis(forecast, y),
        baselineWis: wis(baseline.get(horizon)!, y),
      });
    }
  }
  skipped.push(...incomplete(input.hubRows, model));
  const modelWisSum = cells.reduce((sum, cell) => sum + cell.modelWis, 0);
  const baselineWisSum = cells.reduce((sum, cell) => sum + cell.baselineWis, 0);
  const relativeWis =
    cells.length > 0 && baselineWisSum > 0 ? modelWisSum / baselineWisSum : undefined;
  return { referenceDate, cells, modelWisSum, baselineWisSum, relativeWis, skipped };
}

function singleReferenceDate(rows: readonly HubRow[]): string {
  const dates = [...new Set(rows.map((row) => row.referenceDate))];
  if (dates.length !== 1 || dayNumber(dates[0]!) === undefined) {
    throw new ValidationError(
      `Scoring needs the rows of one submission: expected one reference date, got ${dates.join(', ') || 'none'}`,
    );
  }
  return dates[0]!;
}

/** Location -> horizon -> complete quantile forecast (all 23 levels) of `wk inc flu hosp`. */
function modelForecasts(rows: readonly HubRow[]): Map<string, Map<number, QuantileForecast>> {
  const byTask = new Map<string, Map<number, number>>();
  for (const row of rows) {
    if (
      row.target !== INC_HOSP_TARGET ||
      row.outputType !== 'quantile' ||
      !SCORED_HORIZONS.includes(row.horizon)
    )
      continue;
    const key = `${row.location}|${row.horizon}`;
    byTask.set(
      key,
      (byTask.get(key) ?? new Map<number, number>()).set(Number(row.outputTypeId), row.value),
    );
  }
  const forecasts = new Map<string, Map<number, QuantileForecast>>();
  for (const [key, byLevel] of byTask) {
    if (!QUANTILE_LEVELS.every((level) => byLevel.has(level))) continue;
    const [location = '', horizon] = key.split('|');
    const byHorizon = forecasts.get(location) ?? new Map<number, QuantileForecast>();
    forecasts.set(
      location,
      byHorizon.set(Number(horizon), {
        levels: QUANTILE_LEVELS,
        values: QUANTILE_LEVELS.map((l) => byLevel.get(l)!),
      }),
    );
  }
  return forecasts;
}

function incomplete(
  rows: readonly HubRow[],
  model: Map<string, Map<number, QuantileForecast>>,
): string[] {
  const tasks = new Set(
    rows
      .filter(
        (row) =>
          row.target === INC_HOSP_TARGET &&
          row.outputType === 'quantile' &&
          SCORED_HORIZONS.includes(row.horizon),
      )
      .map((row) => `${row.location}|${row.horizon}`),
  );
  return [...tasks]
    .filter((task) => {
      const [location, horizon] = task.split('|');
      return !model.get(location!)?.has(Number(horizon));
    })
    .map(
      (task) =>
        `location ${task.replace('|', ', horizon ')}: not all ${QUANTILE_LEVELS.length} quantile levels, not scored`,
    );
}
