import {
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  type Data,
} from 'apache-arrow';
import { z } from 'zod';
import { taskResultSchema, type TaskResult } from '../lib/experiment/task.js';

/** Schema metadata key holding a result's identity and layout (JSON). */
const META_KEY = 'epycloud.result';

/** Everything of a result but its trajectories, plus the series names in column order. */
const metaSchema = taskResultSchema.omit({ compartments: true, transitions: true }).extend({
  series: z.tuple([z.array(z.string()), z.array(z.string())]),
});

type Kind = 'compartments' | 'transitions';
const KINDS: readonly Kind[] = ['compartments', 'transitions'];

/** Int32 when every value is an integer that Int32 holds exactly (counts), Float64 otherwise. */
function column(
  values: readonly number[],
  G: number,
  g: number,
  rows: number,
): Data<Int32 | Float64> {
  const floats = new Float64Array(rows);
  let exact = true;
  for (let r = 0; r < rows; r++) {
    const v = values[r * G + g]!;
    floats[r] = v;
    if (exact && ((v | 0) !== v || Object.is(v, -0))) exact = false;
  }
  return exact
    ? ints(Int32Array.from(floats))
    : makeData({ type: new Float64(), length: rows, nullCount: 0, data: floats });
}

const ints = (data: Int32Array): Data<Int32> =>
  makeData({ type: new Int32(), length: data.length, nullCount: 0, data });

/**
 * Encodes a task result as an Arrow IPC file with one record batch: a row per
 * (sim, date) with `sim` and `date` (Int32 index into the `dates` of the
 * metadata), then one column per `<series>_<group>`; the rest of the result
 * (identity, groups, dates, calibration) is JSON in the schema's metadata.
 */
export function encodeResult(result: TaskResult): Uint8Array {
  const { compartments, transitions, ...rest } = result;
  const G = result.groups.length;
  const D = result.dates.length;
  const rows = result.nSims * D;
  const sim = new Int32Array(rows);
  const date = new Int32Array(rows);
  for (let r = 0; r < rows; r++) [sim[r], date[r]] = [Math.floor(r / D), r % D];
  const columns = [
    { name: 'sim', kind: 'index', data: ints(sim) },
    { name: 'date', kind: 'index', data: ints(date) },
    ...KINDS.flatMap((kind) =>
      Object.entries(result[kind]).flatMap(([name, values]) =>
        result.groups.map((group, g) => ({
          name: `${name}_${group}`,
          kind,
          data: column(values, G, g, rows),
        })),
      ),
    ),
  ];
  const fields = columns.map(
    (c) => new Field(c.name, c.data.type, false, new Map([['kind', c.kind]])),
  );
  const meta = { ...rest, series: [Object.keys(compartments), Object.keys(transitions)] };
  const schema = new Schema(fields, new Map([[META_KEY, JSON.stringify(meta)]]));
  const children = columns.map((c) => c.data);
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length: rows, nullCount: 0, children }),
  );
  return tableToIPC(new Table(schema, [batch]), 'file');
}

/**
 * Decodes a result written by {@link encodeResult}; throws an Error saying
 * what is wrong when the bytes are not such a result.
 */
export function decodeResult(bytes: Uint8Array): TaskResult {
  const table = tableFromIPC(bytes);
  const parsed = metaSchema.safeParse(JSON.parse(table.schema.metadata.get(META_KEY) ?? 'null'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`bad metadata ${META_KEY}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const { series, ...meta } = parsed.data;
  const G = meta.groups.length;
  const D = meta.dates.length;
  const rows = meta.nSims * D;
  if (table.numRows !== rows || table.numCols !== 2 + (series[0].length + series[1].length) * G) {
    throw new Error(
      `expected ${rows} rows of ${meta.nSims} sims x ${D} dates and a column per series and group`,
    );
  }
  const sim = table.getChildAt(0)!.toArray() as Int32Array;
  const date = table.getChildAt(1)!.toArray() as Int32Array;
  let at = 2;
  const decodeKind = (names: readonly string[]) =>
    Object.fromEntries(
      names.map((name) => {
        const values = new Array<number>(rows * G);
        for (let g = 0; g < G; g++) {
          const col = table.getChildAt(at++)!.toArray() as Int32Array | Float64Array;
          for (let r = 0; r < rows; r++) values[(sim[r]! * D + date[r]!) * G + g] = col[r]!;
        }
        return [name, values];
      }),
    );
  return { ...meta, compartments: decodeKind(series[0]), transitions: decodeKind(series[1]) };
}
