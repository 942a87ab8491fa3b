import { dayNumber, isoDate } from '../lib/engine/dates.js';
import { StageError } from '../lib/errors.js';
import type { Experiment } from '../lib/experiment/experiment.js';
import { findLocation } from '../lib/experiment/locations.js';
import type { TaskResult } from '../lib/experiment/task.js';
import { checkHubFile } from '../lib/forecast/hub-check.js';
import {
  hubCsv,
  hubFileName,
  hubRows,
  type HubRow,
  type LocationForecast,
} from '../lib/forecast/hub-file.js';
import type { Figure } from '../lib/figures/figure.js';
import type { PosteriorSummaryRow } from '../lib/report/report-data.js';
import { forecastFigures, forecastPosteriors } from './forecast-figures.js';
import { TARGET_RULES, INC_HOSP_TARGET } from '../lib/forecast/hub-rules.js';
import {
  calibrationQuantileRows,
  comparedSamples,
  generationRows,
  pooledQuantileColumns,
  pooledQuantileRows,
  posteriorRows,
  type LocationPool,
} from './forecast-tables.js';
import { selectNames } from './output-tables.js';
import { columnsOf, type Cell, type Column } from './table-types.js';
import type { WholeTable } from './table-writer.js';

/** A file written as is (the hub submission keeps the hub's CSV whatever the output formats). */
export interface TextFile {
  readonly name: string;
  readonly text: string;
  readonly rows: number;
}

/** What a forecast adds to an output folder. */
export interface ForecastOutput {
  readonly tables: WholeTable[];
  readonly hubFile?: TextFile;
  /** Its figures (none when the output config turns them off). */
  readonly figures: Figure[];
  /** The posterior summary of every location, for the report. */
  readonly posteriors: PosteriorSummaryRow[];
}

const ID_COLUMNS: Column[] = [
  { name: 'population', type: 'string' },
  { name: 'sample_id', type: 'int' },
];

const GENERATION_COLUMNS: Column[] = [
  ...ID_COLUMNS,
  { name: 'generation', type: 'int' },
  { name: 'tolerance', type: 'double' },
  { name: 'accepted', type: 'int' },
  { name: 'simulations', type: 'int' },
  { name: 'ess', type: 'double' },
];

const CALIBRATION_QUANTILE_COLUMNS: Column[] = [
  { name: 'population', type: 'string' },
  { name: 'date', type: 'date' },
  { name: 'observed', type: 'double' },
  { name: 'quantile', type: 'double' },
  { name: 'value', type: 'double' },
];

/** The hub forecast of one location: samples of the reported series at horizons -1..3, and the last observed week. */
function locationForecast(
  pool: LocationPool,
  referenceDate: string,
  samples: ReadonlyMap<string, number[]>,
): LocationForecast {
  const location = findLocation(pool.code);
  const first = pool.results[0]!;
  const observed = first.calibration!.observed;
  const lastWeek = isoDate(dayNumber(referenceDate)! - 7);
  const at = observed.dates.indexOf(lastWeek);
  if (location === undefined || at < 0)
    throw new StageError(
      `No hub forecast for ${pool.code}: it needs a FluSight location and data for the week ending ${lastWeek}`,
    );
  const horizons = TARGET_RULES.get(INC_HOSP_TARGET)?.horizons ?? [];
  const byHorizon = new Map(
    horizons.map((h) => {
      const date = isoDate(dayNumber(referenceDate)! + 7 * h);
      const values = samples.get(date);
      if (values === undefined)
        throw new StageError(
          `No projection of ${pool.code} for ${date} (horizon ${h}): the projection must reach it`,
        );
      return [h, values] as const;
    }),
  );
  return {
    location: location.fips,
    population: first.population.size,
    lastObserved: observed.values[at]!,
    samples: byHorizon,
  };
}

/**
 * Stage C files of a forecast experiment, pooled per location over particles,
 * stochastic runs and model variants: posteriors, calibration generations,
 * the compared series against the data, projection quantiles and, when the
 * output config names a team and model, the hub submission file (checked
 * against the hub's rules before it is written).
 */
export class ForecastFiles {
  private readonly pools = new Map<string, LocationPool>();
  private readonly posteriors: Cell[][] = [];
  private readonly generations: Cell[][] = [];
  private names: readonly string[] = [];

  constructor(private readonly exp: Experiment) {}

  /** Adds one task's result. */
  add(result: TaskResult): void {
    if (result.calibration === undefined)
      throw new StageError(
        `Result of task ${result.taskIndex} has no calibration: it was not computed as a forecast`,
      );
    const pool = this.pools.get(result.population.code) ?? {
      code: result.population.code,
      results: [],
    };
    pool.results.push(result);
    this.pools.set(pool.code, pool);
    this.names = result.calibration.names;
    this.posteriors.push(...posteriorRows(result));
    this.generations.push(...generationRows(result));
  }

  /** The finished tables (written in every output format) and the hub file. */
  finish(): ForecastOutput {
    const { output } = this.exp;
    const levels = output.quantiles.levels;
    const pools = [...this.pools.values()];
    const compared = new Map(pools.map((p) => [p.code, comparedSamples(p)]));
    const tables: WholeTable[] = [
      {
        stem: 'posteriors',
        columns: [
          ...ID_COLUMNS,
          { name: 'particle', type: 'int' },
          ...columnsOf('double', ['weight', 'distance', ...this.names]),
        ],
        rows: this.posteriors,
      },
      { stem: 'calibration_generations', columns: GENERATION_COLUMNS, rows: this.generations },
      {
        stem: 'quantiles_calibration',
        columns: CALIBRATION_QUANTILE_COLUMNS,
        rows: pools.flatMap((p) => calibrationQuantileRows(p, levels, compared.get(p.code)!)),
      },
    ];
    for (const kind of ['compartments', 'transitions'] as const) {
      if (output.quantiles[kind] === false || pools.length === 0) continue;
      const first = pools[0]!.results[0]!;
      const names = selectNames(Object.keys(first[kind]), output.quantiles[kind]);
      const rows = pools.flatMap((p) => pooledQuantileRows(p, kind, names, levels));
      tables.push({
        stem: `quantiles_projection_${kind}`,
        columns: pooledQuantileColumns(names, first.groups),
        rows,
      });
    }
    const hub =
      output.flusight && pools.length > 0
        ? this.hubFile(pools, compared, output.flusight)
        : undefined;
    const referenceDate = pools[0]?.results[0]?.calibration?.referenceDate;
    return {
      tables,
      ...(hub ? { hubFile: hub.file } : {}),
      figures:
        output.figures && referenceDate !== undefined
          ? forecastFigures({
              pools,
              compared,
              referenceDate,
              selections: output.quantiles,
              resample: this.exp.model.simulation.resample,
              ...(hub ? { hubRows: hub.rows } : {}),
            })
          : [],
      posteriors: forecastPosteriors(pools),
    };
  }

  private hubFile(
    pools: readonly LocationPool[],
    compared: ReadonlyMap<string, ReadonlyMap<string, number[]>>,
    names: { readonly team: string; readonly model: string },
  ): { file: TextFile; rows: HubRow[] } {
    const dates = new Set(pools.flatMap((p) => p.results.map((r) => r.calibration!.referenceDate)));
    if (dates.size !== 1)
      throw new StageError(
        `Results disagree on the reference date (${[...dates].join(', ')}): re-run the forecast with one`,
      );
    const referenceDate = [...dates][0]!;
    const rows = hubRows(
      referenceDate,
      pools.map((p) => locationForecast(p, referenceDate, compared.get(p.code)!)),
    );
    const name = hubFileName(referenceDate, names.team, names.model);
    const text = hubCsv(rows);
    const problems = checkHubFile(text, { referenceDate, fileName: name, strictColumnOrder: true });
    if (problems.length > 0)
      throw new StageError(
        `The hub file ${name} breaks the hub's rules; it was not written:\n  - ${problems.slice(0, 10).join('\n  - ')}`,
      );
    return { file: { name, text, rows: rows.length }, rows };
  }
}
