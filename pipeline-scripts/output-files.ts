import type { Experiment } from '../lib/experiment/load.js';
import type { TaskResult } from '../lib/experiment/task.js';
import type { ObjectWriter, Storage } from '../lib/storage/index.js';
import { csvCell, quantileRows, selectNames, seriesHeaders, trajectoryRows, type Selection } from './output-tables.js';

/** A finished file of an output folder. */
export interface BuiltFile {
  readonly text: string;
  readonly rows: number;
}

type Kind = 'compartments' | 'transitions';

/** One CSV filled result by result: its header (from the first result) and each result's rows. */
interface Table {
  readonly name: string;
  readonly header: (result: TaskResult) => string[];
  readonly rows: (result: TaskResult) => string[];
}

const Q_IDS = ['population', 'sample_id', 'date', 'quantile'];
const T_IDS = ['population', 'sample_id', 'sim', 'date'];

function seriesTable(
  name: string,
  kind: Kind,
  selection: Selection,
  ids: string[],
  rowsOf: (r: TaskResult, names: string[]) => string[],
): Table {
  let names: string[] = [];
  return {
    name,
    header: (result) => {
      names = selectNames(Object.keys(result[kind]), selection);
      return [...ids, ...seriesHeaders(names, result.groups)];
    },
    rows: (result) => rowsOf(result, names),
  };
}

function metadataTable(exp: Experiment): Table {
  const m = exp.model;
  // sampled names are the same for every task; start_date has its own column (the sampled one when sampled)
  let keys: string[] = [];
  return {
    name: 'model_metadata.csv.gz',
    header: (r) => {
      keys = Object.keys(r.sample.values).filter((k) => k !== 'start_date');
      const fixed = ['model_name', 'n_sims', 'start_date', 'end_date', 'delta_t', 'resample', 'random_seed'];
      return ['task_index', 'population', 'population_name', 'population_size', 'sample_id', ...keys, ...fixed];
    },
    rows: (r) => {
      const start = r.sample.values.start_date ?? m.timespan.start_date;
      const cells = [
        r.taskIndex,
        r.population.code,
        r.population.name,
        r.population.size,
        r.sample.id,
        ...keys.map((k) => r.sample.values[k] ?? ''),
      ];
      const fixed = [m.name, r.nSims, start, m.timespan.end_date, m.timespan.delta_t, m.simulation.resample, m.random_seed];
      return [[...cells, ...fixed].map(csvCell).join(',')];
    },
  };
}

/** A table being written: its writer and the rows written so far. */
interface Open {
  readonly table: Table;
  readonly writer: ObjectWriter;
  rows: number;
}

/**
 * Writes the CSV files of an output folder from results fed one at a time,
 * streaming each table's rows to storage (memory stays flat in the number of
 * tasks), per the output config: quantile tables, optional trajectories,
 * optional model metadata. Each file appears whole at `finish`.
 */
export class OutputFiles {
  private readonly tables: Table[] = [];
  private open: Open[] | undefined;

  constructor(
    exp: Experiment,
    private readonly storage: Storage,
    private readonly dir: string,
  ) {
    const { output } = exp;
    const levels = output.quantiles.levels;
    for (const kind of ['compartments', 'transitions'] as const) {
      // forecasts pool their projection quantiles per location instead (see forecast-files.ts)
      if (output.quantiles[kind] !== false && exp.modelset?.calibration === undefined) {
        this.tables.push(
          seriesTable(`quantiles_${kind}.csv.gz`, kind, output.quantiles[kind], Q_IDS, (r, n) => quantileRows(r, r[kind], n, levels)),
        );
      }
      if (output.trajectories[kind] !== false) {
        this.tables.push(
          seriesTable(`trajectories_${kind}.csv.gz`, kind, output.trajectories[kind], T_IDS, (r, n) => trajectoryRows(r, r[kind], n)),
        );
      }
    }
    if (output.model_metadata) this.tables.push(metadataTable(exp));
  }

  /** Writes one task's rows to every table (the first task's also writes the headers). */
  async add(result: TaskResult): Promise<void> {
    this.open ??= this.tables.map((table) => ({ table, writer: this.storage.openWriter(`${this.dir}${table.name}`), rows: -1 }));
    for (const open of this.open) {
      const rows = open.rows < 0 ? [open.table.header(result).map(csvCell).join(','), ...open.table.rows(result)] : open.table.rows(result);
      open.rows += rows.length;
      if (rows.length > 0) await open.writer.write(`${rows.join('\n')}\n`);
    }
  }

  /** Stores every file whole, in a stable order; returns name -> rows. */
  async finish(): Promise<Map<string, number>> {
    const files = new Map<string, number>();
    for (const { table, writer, rows } of this.open ?? []) {
      await writer.close();
      files.set(table.name, rows);
    }
    return files;
  }

  /** Drops every file not yet stored (after a failure). */
  async abort(): Promise<void> {
    for (const { writer } of this.open ?? []) await writer.abort();
  }
}
