import { tableFromIPC } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { StageError } from '../../../lib/errors.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';
import { runBuilder } from '../../../pipeline-scripts/builder.js';
import { runOutput } from '../../../pipeline-scripts/output.js';
import { openParquetTable } from '../../../pipeline-scripts/parquet-table.js';
import { runRunner } from '../../../pipeline-scripts/runner.js';
import type { Column } from '../../../pipeline-scripts/table-types.js';
import { forecastExperiment } from './forecast-fixture.js';
import { EXPERIMENT, memoryLogger, seededRun } from './helpers.js';

const now = () => new Date('2026-01-02T03:04:05Z');

/** Runs the three stages of an experiment whose output config asks for these formats. */
async function outputsIn(formats: string, files: Record<string, string> = EXPERIMENT) {
  const output = files['config/output.yaml']!.replace(
    'output:\n',
    `output:\n  formats: ${formats}\n`,
  );
  const run = await seededRun('pq-1', { ...files, 'config/output.yaml': output });
  const log = memoryLogger();
  const built = await runBuilder({ layout: run.layout, now }, run.storage, log);
  for (let i = 0; i < built.numTasks; i++)
    await runRunner({ layout: run.layout, taskIndex: i }, run.storage, log);
  const summary = await runOutput(
    { layout: run.layout, allowPartial: false, now },
    run.storage,
    log,
  );
  return { ...run, summary };
}

/** A Parquet value as the CSV writes it. */
function asCsvText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value);
}

async function parquetRows(
  storage: Storage,
  key: string,
): Promise<{ header: string[]; rows: string[]; groups: number }> {
  const bytes = await storage.get(key);
  const file = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const header = metadata.schema.slice(1).map((e) => e.name);
  const objects = await parquetReadObjects({ file });
  return {
    header,
    rows: objects.map((o) => header.map((h) => asCsvText(o[h])).join(',')),
    groups: metadata.row_groups.length,
  };
}

describe('Parquet output tables', () => {
  it('writes every table in Parquet beside the CSV, with the same rows and typed columns', async () => {
    const { storage, summary } = await outputsIn('[csv, parquet]');
    const names = summary.files.map((f) => f.name).filter((n) => !/^figures\/|^report/.test(n));
    const stems = [
      'quantiles_compartments',
      'trajectories_compartments',
      'quantiles_transitions',
      'model_metadata',
    ];
    expect(names).toEqual([
      ...stems.flatMap((s) => [`${s}.csv.gz`, `${s}.parquet`]),
      'output_config.yaml',
    ]);
    for (const stem of stems) {
      const csv = (await storage.getText(`${summary.outputDir}${stem}.csv.gz`)).trim().split('\n');
      const parquet = await parquetRows(storage, `${summary.outputDir}${stem}.parquet`);
      expect(parquet.header.join(','), stem).toBe(csv[0]);
      expect(parquet.rows, stem).toEqual(csv.slice(1));
      const rows = (name: string) => summary.files.find((f) => f.name === name)!.rows;
      expect(rows(`${stem}.parquet`)).toBe(rows(`${stem}.csv.gz`));
    }
    const bytes = await storage.get(`${summary.outputDir}quantiles_compartments.parquet`);
    const schema = parquetMetadata(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    ).schema;
    expect(schema.find((e) => e.name === 'date')).toMatchObject({
      type: 'INT32',
      converted_type: 'DATE',
    });
    expect(schema.find((e) => e.name === 'sample_id')).toMatchObject({ type: 'INT32' });
    expect(schema.find((e) => e.name === 'S_total')).toMatchObject({ type: 'DOUBLE' });
  });

  it('is read by an independent reader (the Rust parquet crate) with the same types and rows', async () => {
    const { storage, summary } = await outputsIn('[csv, parquet]');
    const table = tableFromIPC(
      readParquet(await storage.get(`${summary.outputDir}model_metadata.parquet`)).intoIPCStream(),
    );
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'task_index:Int32',
      'population:Utf8',
      'population_name:Utf8',
      'population_size:Int64',
      'sample_id:Int32',
      'model_name:Utf8',
      'n_sims:Int32',
      'start_date:Date32<DAY>',
      'end_date:Date32<DAY>',
      'delta_t:Float64',
      'resample:Utf8',
      'random_seed:Int64',
    ]);
    const csv = (await storage.getText(`${summary.outputDir}model_metadata.csv.gz`))
      .trim()
      .split('\n')
      .slice(1);
    const rows = table
      .toArray()
      .map((row: Record<string, unknown>) =>
        table.schema.fields
          .map((f) =>
            f.name.endsWith('_date')
              ? asCsvText(new Date(row[f.name] as number))
              : asCsvText(row[f.name]),
          )
          .join(','),
      );
    expect(rows).toEqual(csv);
  });

  it('writes Parquet alone when asked, and the default stays CSV alone', async () => {
    const parquetOnly = await outputsIn('[parquet]');
    expect(parquetOnly.summary.files.map((f) => f.name).filter((n) => n.includes('.csv'))).toEqual(
      [],
    );
    expect(parquetOnly.summary.files.map((f) => f.name)).toContain('model_metadata.parquet');
    const csvOnly = await outputsIn('[csv]');
    expect(csvOnly.summary.files.map((f) => f.name).filter((n) => n.endsWith('.parquet'))).toEqual(
      [],
    );
  });

  it("writes a forecast's tables in Parquet too, while the hub file stays the hub's CSV", async () => {
    const { storage, summary } = await outputsIn('[parquet]', forecastExperiment());
    const names = summary.files.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'posteriors.parquet',
        'calibration_generations.parquet',
        'quantiles_calibration.parquet',
        '2025-01-11-epycloud-SEIR.csv',
      ]),
    );
    expect(names.some((n) => n.endsWith('.csv.gz'))).toBe(false);
    const fit = await parquetRows(storage, `${summary.outputDir}quantiles_calibration.parquet`);
    expect(fit.header).toEqual(['population', 'date', 'observed', 'quantile', 'value']);
    // the fit sees Massachusetts' 600 admissions of the week ending 2025-01-04, and no data after it
    expect(fit.rows.some((r) => r.startsWith('US-MA,2025-01-04,600,0.5,'))).toBe(true);
    expect(fit.rows.find((r) => r.startsWith('US-MA,2025-01-11,'))!.split(',')[2]).toBe('');
  });
});

describe('a streamed Parquet table', () => {
  const columns: Column[] = [
    { name: 'population', type: 'string' },
    { name: 'date', type: 'date' },
    { name: 'value', type: 'double' },
  ];

  it('writes a row group per bounded batch of cells and reads back whole', async () => {
    const storage = new Storage(new MemoryDriver());
    const table = openParquetTable(storage.openWriter('t/x.parquet'), 'x.parquet', columns, 30);
    for (let k = 0; k < 5; k++)
      await table.write(
        Array.from({ length: 7 }, (_, i) => [
          'US-MA',
          `2024-01-${String(1 + i).padStart(2, '0')}`,
          k * 7 + i,
        ]),
      );
    expect(await storage.exists('t/x.parquet')).toBe(false);
    expect(await table.close()).toBe(35);
    const { rows, groups } = await parquetRows(storage, 't/x.parquet');
    expect(groups).toBe(4); // 10 rows of 3 cells per group: 10 + 10 + 10 + 5
    expect(rows[34]).toBe('US-MA,2024-01-07,34');
  });

  it('names the file and column of a cell of the wrong type, and an aborted table leaves nothing', async () => {
    const storage = new Storage(new MemoryDriver());
    const table = openParquetTable(storage.openWriter('t/y.parquet'), 'y.parquet', columns);
    const error = await table.write([['US-MA', 'not a date', 1]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StageError);
    expect((error as Error).message).toBe('y.parquet: column date expects date, got "not a date"');
    await table.abort();
    expect(await storage.list('t/')).toEqual([]);
  });
});
