/**
 * `npm run bench figures`: what figures cost Stage C. For two runs, Stage C
 * runs twice over the same results, each in its own process (time and peak
 * RSS are that process's): with the experiment's output config, and with the
 * same config plus `figures: false`. Prints both times, their ratio (target:
 * figures add at most 50% to Stage C), both peak RSS, the number of figures,
 * their SVG and PNG bytes, the size of report.html, and each figure's drawing
 * time from Stage C's 'figure drawn' log lines, slowest first.
 *
 * (a) the flusight-forecast example over all 53 FluSight locations, with the
 *     example's own calibration (SMC 300 particles x 8 generations, 500
 *     projected samples per location); Stage B runs once, in this process, one
 *     task at a time (runRunner, as a Stage B task does).
 * (b) a 1,000-task scenario run: the flu-states-sampling model over the 50
 *     states x 2 start dates x 10 Latin hypercube samples (100 simulations
 *     each, weekly). Every 10th task is simulated; the 9 tasks after it (same
 *     state and start date, the next samples) carry a copy of its result
 *     under their own task index, input hash, population and sample id, so
 *     the scenario charts draw 1,000 lines.
 *
 * Everything lives in a local bucket in a temporary folder, removed afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RunLayout } from '../lib/contract/layout.js';
import { LOCATIONS } from '../lib/experiment/locations.js';
import { readExperimentDir } from '../lib/experiment/snapshot.js';
import { taskInputSchema, type TaskInput, type TaskResult } from '../lib/experiment/task.js';
import { writeSnapshot } from '../lib/run/experiment-snapshot.js';
import { readManifest, readManifestEntries } from '../lib/run/manifest.js';
import { writeResult } from '../lib/run/result-check.js';
import { LocalDriver, Storage } from '../lib/storage/index.js';
import { runBuilder } from '../pipeline-scripts/builder.js';
import { encodeResult } from '../pipeline-scripts/result-arrow.js';
import { computeResult, runRunner, type RunnerSummary } from '../pipeline-scripts/runner.js';
import { exampleDir } from './example-run.js';
import type { StageCRun } from './figures-stage-c.js';

const silent = { info: () => {}, error: () => {} };
/** The output config Stages A and B run with, and its copy without figures. */
const WITH = 'config/output.yaml';
const WITHOUT = 'config/output_no_figures.yaml';
/** Case (b): a result is simulated for every this-many tasks, copied to the others. */
const COPIES = 10;
/** The 50 states (the FluSight locations but the nation, DC and Puerto Rico). */
const STATES = LOCATIONS.map((l) => l.code).filter((c) => !['US', 'US-DC', 'US-PR'].includes(c));

const progress = (line: string) => process.stderr.write(`# figures: ${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** An example's files with `edits` applied per file, and the output config copied with `figures: false`. */
async function experimentFiles(
  name: string,
  edits: Record<string, (text: string) => string>,
): Promise<Map<string, string>> {
  const files = await readExperimentDir(exampleDir(name));
  for (const [file, edit] of Object.entries(edits)) files.set(file, edit(files.get(file)!));
  const output = files.get(WITH)!;
  files.set(WITHOUT, `${output.trimEnd()}\n  figures: false\n`);
  return files;
}

/** Snapshot and Stage A (with the output config that has figures); the inputs' texts. */
async function build(
  storage: Storage,
  layout: RunLayout,
  files: Map<string, string>,
): Promise<string[]> {
  await writeSnapshot(storage, layout, files);
  const { numTasks } = await runBuilder({ layout, outputConfigFile: WITH }, storage, silent);
  return Promise.all(Array.from({ length: numTasks }, (_, i) => storage.getText(layout.input(i))));
}

/** Stage C in its own process with one output config. */
async function stageC(root: string, layout: RunLayout, outputConfigFile: string) {
  const script = join(import.meta.dirname, 'figures-stage-c.ts');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', script, root, layout.expId, layout.runId, outputConfigFile],
    { maxBuffer: 16 << 20 },
  );
  return JSON.parse(stdout) as StageCRun;
}

/** Count and bytes of the SVG and PNG files under an output folder's `figures/`. */
async function figureBytes(root: string, outputDir: string) {
  const dir = join(root, ...outputDir.split('/'), 'figures');
  const bytes = new Map<string, { svg: number; png: number }>();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const stem = name.replace(/\.(svg|png)$/, '');
    const entry = bytes.get(stem) ?? { svg: 0, png: 0 };
    const size = (await stat(join(dir, name))).size;
    if (name.endsWith('.svg')) entry.svg += size;
    if (name.endsWith('.png')) entry.png += size;
    bytes.set(stem, entry);
  }
  return bytes;
}

/** Stage C without figures, then with; prints the comparison and each figure's drawing time. */
async function compare(root: string, layout: RunLayout, label: string): Promise<void> {
  progress(`${label}: Stage C without figures`);
  const without = await stageC(root, layout, WITHOUT);
  progress(`${label}: Stage C with figures`);
  const withFigures = await stageC(root, layout, WITH);
  const bytes = await figureBytes(root, withFigures.outputDir);
  const total = [...bytes.values()].reduce((s, b) => ({ svg: s.svg + b.svg, png: s.png + b.png }), {
    svg: 0,
    png: 0,
  });
  const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
  const report = async (run: StageCRun) =>
    (await stat(join(root, ...run.outputDir.split('/'), 'report.html'))).size;
  const ratio = withFigures.ms / without.ms;
  const lines = [
    `  Stage C without figures: ${seconds(without.ms)}, peak RSS ${without.maxRssMiB.toFixed(0)} MiB`,
    `  Stage C with figures:    ${seconds(withFigures.ms)}, peak RSS ${withFigures.maxRssMiB.toFixed(0)} MiB`,
    `  ratio with / without: ${ratio.toFixed(2)} (figures add ${(100 * (ratio - 1)).toFixed(0)}%; target <= 50%); ` +
      `peak RSS +${(withFigures.maxRssMiB - without.maxRssMiB).toFixed(0)} MiB`,
    `  figures: ${bytes.size} (${withFigures.drawn.length} drawn), SVG ${mb(total.svg)}, PNG ${mb(total.png)}; ` +
      `SVG ${seconds(withFigures.drawn.reduce((s, f) => s + f.svgMs, 0))} + PNG ${seconds(withFigures.drawn.reduce((s, f) => s + f.pngMs, 0))} (PNGs overlap the next SVG)`,
    `  report.html: ${mb(await report(withFigures))} with figures, ${mb(await report(without))} without`,
    '  figure                                 SVG ms   PNG ms   SVG KB   PNG KB',
    ...[...withFigures.drawn]
      .sort((a, b) => b.svgMs + b.pngMs - a.svgMs - a.pngMs)
      .map((f) => {
        const b = bytes.get(f.figure) ?? { svg: 0, png: 0 };
        return `  ${f.figure.padEnd(36)} ${f.svgMs.toFixed(0).padStart(8)} ${f.pngMs.toFixed(0).padStart(8)} ${(b.svg / 1e3).toFixed(0).padStart(8)} ${(b.png / 1e3).toFixed(0).padStart(8)}`;
      }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Case (a): the forecast example over the 53 locations. */
async function forecast(root: string, storage: Storage): Promise<void> {
  const layout = new RunLayout('bench/figures-forecast', 'all53');
  const files = await experimentFiles('flusight-forecast', {
    'config/modelset.yaml': (t) => t.replace(/population_names: .*/, 'population_names: all'),
  });
  const inputs = await build(storage, layout, files);
  const first = taskInputSchema.parse(JSON.parse(inputs[0]!)) as TaskInput;
  const calibration = first.calibration!;
  const strategy = calibration.strategy;
  const size =
    strategy.type === 'smc'
      ? `SMC ${strategy.particles} particles x ${strategy.generations} generations (at most ${strategy.maxSimulations} simulations)`
      : `rejection, ${strategy.simulations} simulations`;
  progress(`(a) Stage B: ${inputs.length} forecast tasks, one at a time`);
  const started = performance.now();
  for (let i = 0; i < inputs.length; i++)
    await runRunner({ layout, taskIndex: i }, storage, silent);
  const stageBMs = performance.now() - started;
  process.stdout.write(
    `(a) forecast, flusight-forecast example over all ${inputs.length} FluSight locations, reference date ${calibration.referenceDate}\n` +
      `  calibration: ${size}, ${calibration.samples} projected samples per location\n` +
      `  Stage B (in the bench process, one task at a time): ${seconds(stageBMs)}\n`,
  );
  await compare(root, layout, '(a)');
}

/** Case (b): 1,000 scenario tasks, one result simulated per {@link COPIES} tasks. */
async function scenarios(root: string, storage: Storage): Promise<void> {
  const layout = new RunLayout('bench/figures-scenarios', 'n1000');
  const files = await experimentFiles('flu-states-sampling', {
    'config/modelset.yaml': (t) =>
      t
        .replace(/population_names: .*/, `population_names: [${STATES.join(', ')}]`)
        .replace(/n_samples: \d+/, 'n_samples: 10'),
  });
  const texts = await build(storage, layout, files);
  const entries = await readManifestEntries(storage, layout, await readManifest(storage, layout));
  progress(`(b) Stage B: ${texts.length} tasks, one simulated per ${COPIES}`);
  const started = performance.now();
  let source: { result: TaskResult; ms: number } | undefined;
  const locations = new Set<string>();
  const samples = new Set<number>();
  for (let i = 0; i < texts.length; i++) {
    const input = taskInputSchema.parse(JSON.parse(texts[i]!)) as TaskInput;
    const inputSha256 = entries[i]!.sha256;
    const taskStarted = new Date().toISOString();
    if (i % COPIES === 0) {
      const t = performance.now();
      source = { result: computeResult(input, inputSha256), ms: performance.now() - t };
    }
    const result: TaskResult = {
      ...source!.result,
      taskIndex: i,
      inputSha256,
      population: input.population,
      sample: input.sample,
    };
    locations.add(input.population.code);
    samples.add(input.sample.id);
    const checksum = await writeResult(storage, layout, i, inputSha256, encodeResult(result));
    const summary: RunnerSummary = {
      stage: 'runner',
      taskIndex: i,
      skipped: false,
      result: checksum,
      nSims: result.nSims,
      timingsMs: { simulate: source!.ms, total: source!.ms },
      startedAt: taskStarted,
      finishedAt: new Date().toISOString(),
      attempt: 1,
    };
    await storage.putJson(layout.summary('runner', i), summary);
  }
  const stageBMs = performance.now() - started;
  const r = source!.result;
  process.stdout.write(
    `(b) scenarios, flu-states-sampling model: ${texts.length} tasks = ${locations.size} states x ${samples.size} samples ` +
      `(2 start dates x 10 Latin hypercube draws), ${r.nSims} simulations x ${r.dates.length} weeks x ${r.groups.length} age groups each\n` +
      `  Stage B (in the bench process): ${seconds(stageBMs)}; ${texts.length / COPIES} results simulated, each copied to the next ${COPIES - 1} tasks with their own ids\n`,
  );
  await compare(root, layout, '(b)');
}

/** Prints both cases. */
export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'epycloud-bench-figures-'));
  try {
    const storage = new Storage(new LocalDriver(root));
    await forecast(root, storage);
    await scenarios(root, storage);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
