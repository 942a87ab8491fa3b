import type { Experiment } from '../lib/experiment/load.js';
import type { TaskResult } from '../lib/experiment/task.js';
import { csvCell, quantileRows, selectNames, seriesHeaders, trajectoryRows, type Selection } from './output-tables.js';

/** A finished file of an output folder. */
export interface BuiltFile {
  readonly text: string;
  readonly rows: number;
}

type Kind = 'compartments' | 'transitions';

/** One CSV being filled result by result: its header comes from the first result. */
interface Table {
  readonly name: string;
  header?: string[];
  readonly rows: string[];
  readonly add: (table: Table, result: TaskResult) => void;
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
    rows: [],
    add: (table, result) => {
      if (table.header === undefined) {
        names = selectNames(Object.keys(result[kind]), selection);
        table.header = [...ids, ...seriesHeaders(names, result.groups)];
      }
      for (const row of rowsOf(result, names)) table.rows.push(row);
    },
  };
}

function metadataTable(exp: Experiment): Table {
  const m = exp.model;
  // sampled names are the same for every task; start_date has its own column (the sampled one when sampled)
  let keys: string[] = [];
  return {
    name: 'model_metadata.csv.gz',
    rows: [],
    add: (table, r) => {
      if (table.header === undefined) {
        keys = Object.keys(r.sample.values).filter((k) => k !== 'start_date');
        const fixed = ['model_name', 'n_sims', 'start_date', 'end_date', 'delta_t', 'resample', 'random_seed'];
        table.header = ['task_index', 'population', 'population_name', 'population_size', 'sample_id', ...keys, ...fixed];
      }
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
      table.rows.push([...cells, ...fixed].map(csvCell).join(','));
    },
  };
}

/**
 * Builds the files of an output folder from results fed one at a time (so a
 * large run never holds every trajectory in memory), per the output config:
 * quantile tables, optional trajectories, optional model metadata.
 */
export class OutputFiles {
  private readonly tables: Table[] = [];

  constructor(exp: Experiment) {
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

  /** Adds one task's rows to every table. */
  add(result: TaskResult): void {
    for (const table of this.tables) table.add(table, result);
  }

  /** The finished files, name -> text, in a stable order. */
  finish(): Map<string, BuiltFile> {
    const files = new Map<string, BuiltFile>();
    for (const { name, header = [], rows } of this.tables) {
      files.set(name, { text: `${header.map(csvCell).join(',')}\n${rows.join('\n')}${rows.length ? '\n' : ''}`, rows: rows.length });
    }
    return files;
  }
}
