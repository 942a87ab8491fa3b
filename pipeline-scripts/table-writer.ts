import type { OutputFormat } from '../lib/experiment/schema.js';
import type { Storage } from '../lib/storage/index.js';
import { openCsvTable } from './csv-table.js';
import { openParquetTable } from './parquet-table.js';
import { tableFileName, type Cell, type Column, type TableWriter } from './table-types.js';

/** Opens `<dir><stem>.<format>` for writing with these columns, streamed to storage. */
export function openTable(
  storage: Storage,
  dir: string,
  stem: string,
  format: OutputFormat,
  columns: readonly Column[],
): TableWriter {
  const name = tableFileName(stem, format);
  const writer = storage.openWriter(`${dir}${name}`);
  return format === 'csv'
    ? openCsvTable(writer, name, columns)
    : openParquetTable(writer, name, columns);
}

/** A whole table in memory, written once in every format. */
export interface WholeTable {
  readonly stem: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Cell[])[];
}

/** Writes a whole table in each format; returns file name -> rows. */
export async function writeWholeTable(
  storage: Storage,
  dir: string,
  table: WholeTable,
  formats: readonly OutputFormat[],
): Promise<Map<string, number>> {
  const written = new Map<string, number>();
  for (const format of formats) {
    const writer = openTable(storage, dir, table.stem, format, table.columns);
    try {
      await writer.write(table.rows);
      written.set(writer.name, await writer.close());
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }
  return written;
}
