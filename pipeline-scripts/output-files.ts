import type { Experiment } from '../lib/experiment/experiment.js';
import type { TaskResult } from '../lib/experiment/task.js';
import type { Storage } from '../lib/storage/index.js';
import {
  quantileRows,
  selectNames,
  seriesHeaders,
  trajectoryRows,
  type Selection,
} from './output-tables.js';
import { columnsOf, type Cell, type Column, type TableWriter } from './table-types.js';
import { openTable } from './table-writer.js';

type Kind = 'compartments' | 'transitions';

/** One table filled result by result: its columns (from the first result) and each result's rows. */
interface Table {
  readonly stem: string;
  readonly columns: (result: TaskResult) => Column[];
  readonly rows: (result: TaskResult) => Cell[][];
}

const Q_IDS: Column[] = [
  { name: 'population', type: 'string' },
  { name: 'sample_id', type: 'int' },
  { name: 'date', type: 'date' },
  { name: 'quantile', type: 'double' },
];
const T_IDS: Column[] = [
  { name: 'population', type: 'string' },
  { name: 'sample_id', type: 'int' },
  { name: 'sim', type: 'int' },
  { name: 'date', type: 'date' },
];

function seriesTable(
  stem: string,
  kind: Kind,
  selection: Selection,
  ids: Column[],
  rowsOf: (r: TaskResult, names: string[]) => Cell[][],
): Table {
  let names: string[] = [];
  return {
    stem,
    columns: (result) => {
      names = selectNames(Object.keys(result[kind]), selection);
      return [...ids, ...columnsOf('double', seriesHeaders(names, result.groups))];
    },
    rows: (result) => rowsOf(result, names),
  };
}

/** The type of a sampled value's column: a number, a date (sampled start dates) or text. */
const sampledType = (value: number | string): Column['type'] =>
  typeof value === 'number' ? 'double' : 'string';

function metadataTable(exp: Experiment): Table {
  const m = exp.model;
  // sampled names are the same for every task; start_date has its own column (the sampled one when sampled)
  let keys: string[] = [];
  return {
    stem: 'model_metadata',
    columns: (r) => {
      keys = Object.keys(r.sample.values).filter((k) => k !== 'start_date');
      return [
        { name: 'task_index', type: 'int' },
        { name: 'population', type: 'string' },
        { name: 'population_name', type: 'string' },
        { name: 'population_size', type: 'int64' },
        { name: 'sample_id', type: 'int' },
        ...keys.map((name) => ({ name, type: sampledType(r.sample.values[name]!) })),
        { name: 'model_name', type: 'string' },
        { name: 'n_sims', type: 'int' },
        { name: 'start_date', type: 'date' },
        { name: 'end_date', type: 'date' },
        { name: 'delta_t', type: 'double' },
        { name: 'resample', type: 'string' },
        { name: 'random_seed', type: 'int64' },
      ];
    },
    rows: (r) => [
      [
        r.taskIndex,
        r.population.code,
        r.population.name,
        r.population.size,
        r.sample.id,
        ...keys.map((k) => r.sample.values[k] ?? null),
        m.name,
        r.nSims,
        r.sample.values.start_date ?? m.timespan.start_date,
        m.timespan.end_date,
        m.timespan.delta_t,
        m.simulation.resample,
        m.random_seed,
      ],
    ],
  };
}

/**
 * Writes the tables of an output folder from results fed one at a time, in
 * every format of the output config (gzipped CSV, Parquet), streaming each
 * table's rows to storage (memory stays flat in the number of tasks): quantile
 * tables, optional trajectories, optional model metadata. Each file appears
 * whole at `finish`.
 */
export class OutputFiles {
  private readonly tables: Table[] = [];
  private open: { readonly table: Table; readonly writers: TableWriter[] }[] | undefined;

  constructor(
    private readonly exp: Experiment,
    private readonly storage: Storage,
    private readonly dir: string,
  ) {
    const { output } = exp;
    const levels = output.quantiles.levels;
    for (const kind of ['compartments', 'transitions'] as const) {
      // forecasts pool their projection quantiles per location instead (see forecast-files.ts)
      if (output.quantiles[kind] !== false && exp.modelset?.calibration === undefined) {
        this.tables.push(
          seriesTable(`quantiles_${kind}`, kind, output.quantiles[kind], Q_IDS, (r, n) =>
            quantileRows(r, r[kind], n, levels),
          ),
        );
      }
      if (output.trajectories[kind] !== false) {
        this.tables.push(
          seriesTable(`trajectories_${kind}`, kind, output.trajectories[kind], T_IDS, (r, n) =>
            trajectoryRows(r, r[kind], n),
          ),
        );
      }
    }
    if (output.model_metadata) this.tables.push(metadataTable(exp));
  }

  /** Writes one task's rows to every table (the first task also fixes the columns). */
  async add(result: TaskResult): Promise<void> {
    this.open ??= this.tables.map((table) => {
      const columns = table.columns(result);
      return {
        table,
        writers: this.exp.output.formats.map((format) =>
          openTable(this.storage, this.dir, table.stem, format, columns),
        ),
      };
    });
    for (const { table, writers } of this.open) {
      const rows = table.rows(result);
      for (const writer of writers) await writer.write(rows);
    }
  }

  /** Stores every file whole, in a stable order; returns name -> rows. */
  async finish(): Promise<Map<string, number>> {
    const files = new Map<string, number>();
    for (const { writers } of this.open ?? [])
      for (const writer of writers) files.set(writer.name, await writer.close());
    return files;
  }

  /** Drops every file not yet stored (after a failure). */
  async abort(): Promise<void> {
    for (const { writers } of this.open ?? []) for (const writer of writers) await writer.abort();
  }
}
