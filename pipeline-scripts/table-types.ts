import type { OutputFormat } from '../lib/experiment/schema.js';

/** One cell of an output table; `null` is an empty cell. */
export type Cell = string | number | boolean | null;

/** What a column holds, so a typed format (Parquet) stores it as such; CSV writes every cell as text. */
export type ColumnType = 'string' | 'int' | 'int64' | 'double' | 'date' | 'bool';

/** A column of an output table. */
export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

/** Columns of one type. */
export const columnsOf = (type: ColumnType, names: readonly string[]): Column[] =>
  names.map((name) => ({ name, type }));

/** The file name of a table in a format: CSV is gzipped, Parquet compresses its own pages. */
export function tableFileName(stem: string, format: OutputFormat): string {
  return format === 'csv' ? `${stem}.csv.gz` : `${stem}.parquet`;
}

/** A table written row batch by row batch; it appears whole at `close`, or not at all after `abort`. */
export interface TableWriter {
  readonly name: string;
  write(rows: readonly (readonly Cell[])[]): Promise<void>;
  /** Stores the file; returns its row count. */
  close(): Promise<number>;
  abort(): Promise<void>;
}
