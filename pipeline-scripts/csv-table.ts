import type { ObjectWriter } from '../lib/storage/index.js';
import type { Cell, Column, TableWriter } from './table-types.js';

/** Quotes a CSV cell when it needs it. */
function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (numbers as JavaScript prints them, `null` empty). */
function csvLine(row: readonly Cell[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    const cell = row[i]!;
    if (i > 0) line += ',';
    line += typeof cell === 'number' ? cell : cell === null ? '' : csvCell(String(cell));
  }
  return line;
}

/** A CSV table (its header first) streamed to storage. */
export function openCsvTable(
  writer: ObjectWriter,
  name: string,
  columns: readonly Column[],
): TableWriter {
  let rows = 0;
  let pending = `${csvLine(columns.map((c) => c.name))}\n`;
  return {
    name,
    write: async (batch) => {
      if (batch.length === 0) return;
      for (const row of batch) pending += `${csvLine(row)}\n`;
      rows += batch.length;
      await writer.write(pending);
      pending = '';
    },
    close: async () => {
      if (pending !== '') await writer.write(pending);
      await writer.close();
      return rows;
    },
    abort: () => writer.abort(),
  };
}
