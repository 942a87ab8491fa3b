import type { SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { dayNumber } from '../lib/engine/dates.js';
import { StageError } from '../lib/errors.js';
import type { ObjectWriter } from '../lib/storage/index.js';
import type { Cell, Column, ColumnType, TableWriter } from './table-types.js';

/**
 * Cells buffered before they are written as one row group: a row group of a
 * wide table stays a few megabytes, and the file's footer (one entry per row
 * group) stays small for any number of tasks.
 */
const ROW_GROUP_CELLS = 1 << 20;

const ELEMENTS: Readonly<Record<ColumnType, Omit<SchemaElement, 'name'>>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int: { type: 'INT32' },
  int64: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  date: { type: 'INT32', converted_type: 'DATE' },
  bool: { type: 'BOOLEAN' },
};

/** Whether a cell fits a column type, and its Parquet value (days since 1970 for a date, a bigint for INT64). */
const CONVERT: Readonly<Record<ColumnType, (cell: Cell) => unknown>> = {
  string: (cell) => String(cell),
  int: (cell) => (typeof cell === 'number' && Number.isInteger(cell) ? cell : undefined),
  int64: (cell) =>
    typeof cell === 'number' && Number.isSafeInteger(cell) ? BigInt(cell) : undefined,
  double: (cell) => (typeof cell === 'number' ? cell : undefined),
  date: (cell) => (typeof cell === 'string' ? dayNumber(cell) : undefined),
  bool: (cell) => (typeof cell === 'boolean' ? cell : undefined),
};

/** The converter of a column: empty cells are nulls, a cell of another type is a StageError naming the file and column. */
function converter(column: Column, file: string): (cell: Cell) => unknown {
  const convert = CONVERT[column.type];
  return (cell) => {
    if (cell === null || cell === '') return null;
    const value = convert(cell);
    if (value === undefined)
      throw new StageError(
        `${file}: column ${column.name} expects ${column.type}, got ${JSON.stringify(cell)}`,
      );
    return value;
  };
}

/** Bytes hyparquet-writer appends, handed to the storage writer after every row group (so at most one row group is held). */
class StreamedBytes extends ByteWriter {
  constructor(private readonly out: ObjectWriter) {
    super(1 << 16);
  }

  flush(): Promise<void> {
    const chunk = this.getBytes().slice();
    this.index = 0;
    return this.out.write(chunk);
  }

  override finish(): Promise<void> {
    return this.flush();
  }
}

/** A Parquet table (snappy pages, one row group per {@link ROW_GROUP_CELLS} cells) streamed to storage. */
export function openParquetTable(
  out: ObjectWriter,
  name: string,
  columns: readonly Column[],
  groupCells = ROW_GROUP_CELLS,
): TableWriter {
  const schema: SchemaElement[] = [
    { name: 'root', num_children: columns.length },
    ...columns.map((c) => ({
      name: c.name,
      repetition_type: 'OPTIONAL' as const,
      ...ELEMENTS[c.type],
    })),
  ];
  const parquet = new ParquetWriter({
    writer: new StreamedBytes(out),
    schema,
    createdBy: 'epycloud',
  });
  const groupRows = Math.max(1, Math.floor(groupCells / Math.max(1, columns.length)));
  const converters = columns.map((c) => converter(c, name));
  let buffered: unknown[][] = columns.map(() => []);
  let length = 0;
  let rows = 0;
  const flush = async () => {
    if (length === 0) return;
    const columnData = columns.map((c, j) => ({ name: c.name, data: buffered[j]! }));
    buffered = columns.map(() => []);
    const n = length;
    length = 0;
    await parquet.write({ columnData, rowGroupSize: n });
  };
  return {
    name,
    write: async (batch) => {
      for (const row of batch) {
        if (row.length !== columns.length)
          throw new StageError(
            `${name}: a row has ${row.length} cells for ${columns.length} columns`,
          );
        for (let j = 0; j < columns.length; j++) buffered[j]!.push(converters[j]!(row[j]!));
        rows++;
        if (++length >= groupRows) await flush();
      }
    },
    close: async () => {
      await flush();
      await parquet.finish();
      await out.close();
      return rows;
    },
    abort: () => out.abort(),
  };
}
