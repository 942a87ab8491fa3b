/**
 * `npm run bench results`: task results as gzipped JSON (before) and Arrow IPC
 * (now) for the seir-ma example (100 simulations, weekly): bytes, write and
 * read time per task against the simulation time; then Stage C's time, peak
 * memory (its own process's max RSS) and output bytes for N = 100, 1,000 and
 * 10,000 tasks, writing CSV alone and CSV with Parquet, on a local bucket in a
 * temporary folder, removed afterwards.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RunLayout } from '../lib/contract/layout.js';
import { writeManifest } from '../lib/run/manifest.js';
import {
  taskInputSchema,
  taskResultSchema,
  type TaskInput,
  type TaskResult,
} from '../lib/experiment/task.js';
import { sha256 } from '../lib/run/checksum.js';
import { writeSnapshot } from '../lib/run/experiment-snapshot.js';
import { writeResult } from '../lib/run/result-check.js';
import { LocalDriver, Storage } from '../lib/storage/index.js';
import { runBuilder } from '../pipeline-scripts/builder.js';
import { decodeResult, encodeResult } from '../pipeline-scripts/result-arrow.js';
import { computeResult } from '../pipeline-scripts/runner.js';
import { exampleDir } from './example-run.js';

const SIZES = [100, 1_000, 10_000];
const REPEATS = 20;
/** Tasks simulated one by one for the output sizes of distinct results. */
const DISTINCT = 100;
const EXP_ID = 'bench/seir-ma';
const silent = { info: () => {}, error: () => {} };
/** Stage C of the bench: the example's quantile tables and metadata (trajectories off: 30 M rows at N = 10,000), in these formats. */
const output = (formats: string) =>
  `output:\n  formats: ${formats}\n  quantiles:\n    compartments: [E, I, R]\n    transitions: true\n  trajectories: {compartments: false, transitions: false}\n  model_metadata: true\n`;
const FORMATS = ['[csv]', '[csv, parquet]'];

async function exampleFiles(formats = FORMATS[0]!): Promise<Map<string, string>> {
  const dir = join(exampleDir('seir-ma'), 'config');
  const files = new Map<string, string>();
  for (const name of await readdir(dir))
    files.set(`config/${name}`, await readFile(join(dir, name), 'utf8'));
  files.set('config/output.yaml', output(formats));
  return files;
}

/** Bytes of the output folder's files by kind: gzipped CSV and Parquet. */
async function outputBytes(
  root: string,
  layout: RunLayout,
): Promise<{ csv: number; parquet: number }> {
  const dir = join(root, ...layout.outputsPrefix.split('/'));
  const bytes = { csv: 0, parquet: 0 };
  for (const stamp of await readdir(dir)) {
    for (const name of await readdir(join(dir, stamp))) {
      const size = (await stat(join(dir, stamp, name))).size;
      if (name.endsWith('.csv.gz')) bytes.csv += size;
      if (name.endsWith('.parquet')) bytes.parquet += size;
    }
  }
  return bytes;
}

/** Mean milliseconds of `REPEATS` calls. */
async function timed(run: (k: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let k = 0; k < REPEATS; k++) await run(k);
  return (performance.now() - start) / REPEATS;
}

async function perTask(storage: Storage, input: TaskInput) {
  const start = performance.now();
  const result = computeResult(input, sha256('input'));
  const simulateMs = performance.now() - start;
  const json = await timed((k) => storage.put(`per-task/r${k}.json.gz`, JSON.stringify(result)));
  const jsonRead = await timed(async (k) =>
    taskResultSchema.parse(JSON.parse(await storage.getText(`per-task/r${k}.json.gz`))),
  );
  const arrow = await timed((k) => storage.put(`per-task/r${k}.arrow`, encodeResult(result)));
  const arrowRead = await timed(async (k) =>
    decodeResult(await storage.get(`per-task/r${k}.arrow`)),
  );
  const driver = storage.driver;
  const bytes = {
    json: (await driver.get('per-task/r0.json.gz')).length,
    arrow: (await driver.get('per-task/r0.arrow')).length,
  };
  process.stdout.write(
    `seir-ma, ${result.nSims} sims x ${result.dates.length} weeks: simulate ${simulateMs.toFixed(1)} ms per task\n`,
  );
  process.stdout.write('format        bytes/task  write ms  read ms  write / simulate\n');
  for (const [name, b, w, r] of [
    ['json+gzip', bytes.json, json, jsonRead] as const,
    ['arrow ipc', bytes.arrow, arrow, arrowRead] as const,
  ]) {
    process.stdout.write(
      `${name.padEnd(12)} ${String(b).padStart(11)} ${w.toFixed(2).padStart(9)} ${r.toFixed(2).padStart(8)}  ${((100 * w) / simulateMs).toFixed(1)}%\n`,
    );
  }
  return result;
}

/** A run of N results (copies of one, each with its own index and input hash), recorded as Stage B does. */
async function seedRun(
  storage: Storage,
  files: Map<string, string>,
  resultOf: (index: number) => TaskResult,
  n: number,
  runId = `n${n}`,
): Promise<RunLayout> {
  const layout = new RunLayout(EXP_ID, runId);
  await writeSnapshot(storage, layout, files);
  const inputs = Array.from({ length: n }, (_, index) => ({
    index,
    key: layout.input(index),
    sha256: sha256(`input ${index}`),
  }));
  for (const { index, sha256: inputSha256 } of inputs) {
    const result = resultOf(index);
    const body = encodeResult({
      ...result,
      taskIndex: index,
      inputSha256,
      sample: { ...result.sample, id: index },
    });
    await storage.putJson(layout.summary('runner', index), {
      result: await writeResult(storage, layout, index, inputSha256, body),
    });
  }
  await writeManifest(storage, layout, inputs, new Date().toISOString());
  return layout;
}

async function stageC(root: string, layout: RunLayout): Promise<{ ms: number; maxRssMiB: number }> {
  const script = join(import.meta.dirname, 'results-stage-c.ts');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', script, root, layout.expId, layout.runId],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout) as { ms: number; maxRssMiB: number };
}

/** Prints the per-task figures, then Stage C's for each N. */
export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'epycloud-bench-results-'));
  try {
    const storage = new Storage(new LocalDriver(root));
    const files = await exampleFiles();
    const build = new RunLayout(EXP_ID, 'build');
    await writeSnapshot(storage, build, files);
    await runBuilder({ layout: build }, storage, silent);
    const input = taskInputSchema.parse(await storage.getJson(build.input(0))) as TaskInput;
    const result = await perTask(storage, input);
    process.stdout.write(
      '\nStage C (own process)   tasks  time s  ms/task  peak RSS MiB  csv.gz MB  parquet MB\n',
    );
    for (const formats of FORMATS) {
      const runFiles = await exampleFiles(formats);
      for (const n of SIZES) {
        const layout = await seedRun(storage, runFiles, () => result, n);
        const { ms, maxRssMiB } = await stageC(root, layout);
        const bytes = await outputBytes(root, layout);
        const mb = (b: number) => (b / 1e6).toFixed(2).padStart(10);
        process.stdout.write(
          `${formats.padEnd(22)}${String(n).padStart(7)} ${(ms / 1000).toFixed(1).padStart(7)} ${(ms / n).toFixed(2).padStart(8)} ${maxRssMiB.toFixed(0).padStart(13)} ${mb(bytes.csv)}  ${mb(bytes.parquet)}\n`,
        );
        await rm(join(root, ...layout.prefix.split('/')), { recursive: true, force: true });
      }
    }
    // copies of one result flatter Parquet's dictionaries: sizes of distinct results (each task its own streams)
    const distinct = Array.from({ length: DISTINCT }, (_, i) =>
      computeResult({ ...input, taskIndex: i }, sha256('input')),
    );
    const layout = await seedRun(
      storage,
      await exampleFiles(FORMATS[1]),
      (i) => distinct[i]!,
      DISTINCT,
      'distinct',
    );
    await stageC(root, layout);
    const bytes = await outputBytes(root, layout);
    process.stdout.write(
      `\n${DISTINCT} distinct results: csv.gz ${(bytes.csv / 1e6).toFixed(2)} MB, parquet ${(bytes.parquet / 1e6).toFixed(2)} MB\n`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
