import { stringify } from 'yaml';
import { utcStamp } from '../lib/contract/ids.js';
import type { RunLayout } from '../lib/contract/layout.js';
import type { Manifest, ManifestEntry } from '../lib/contract/manifest.js';
import { StageError, ValidationError } from '../lib/errors.js';
import { loadExperiment } from '../lib/experiment/load.js';
import { readSnapshot } from '../lib/experiment/snapshot.js';
import type { TaskResult } from '../lib/experiment/task.js';
import type { Logger } from '../lib/log.js';
import { OUTPUT_INDEX, removeUnfinishedOutputs } from '../lib/run/output-folders.js';
import { checkResult, recomputeHint } from '../lib/run/result-check.js';
import type { Storage } from '../lib/storage/index.js';
import { formatIndexes } from '../lib/report/format.js';
import { elapsedMs, mapLimit } from './artifacts.js';
import { readManifest, readManifestEntries } from '../lib/run/manifest.js';
import { tasksWithoutResult } from '../lib/run/task-map.js';
import { ForecastFiles } from './forecast-files.js';
import { OutputFiles } from './output-files.js';
import { decodeResult } from './result-arrow.js';
import { writeWholeTable } from './table-writer.js';
import { EnsembleFigures } from './ensemble-figures.js';
import { writeFigures } from './figure-files.js';
import { writeReport } from './report-file.js';
import { EPYCLOUD_VERSION } from '../lib/contract/version.js';

/** Results read in parallel at a time. */
const READ_BATCH = 8;

/** Typed configuration of Stage C. */
export interface OutputStageConfig {
  readonly layout: RunLayout;
  /** `NUM_TASKS`, when the launcher set it: must equal the manifest's. */
  readonly numTasks?: number | undefined;
  /** `ALLOW_PARTIAL_RESULTS`: aggregate what exists instead of failing on missing results. */
  readonly allowPartial: boolean;
  readonly outputConfigFile?: string | undefined;
  readonly now?: () => Date;
}

/** One file of an output folder, as listed in its `index.json`. */
export interface OutputFile {
  readonly name: string;
  readonly rows: number;
}

/** What Stage C did (also written to `summaries/output.json`). */
export interface OutputSummary {
  readonly stage: 'output';
  readonly outputDir: string;
  readonly numTasks: number;
  readonly resultsUsed: number;
  readonly missing: readonly number[];
  readonly files: readonly OutputFile[];
  readonly timingsMs: { readonly build: number; readonly total: number };
}

/** What Stage A built: the manifest head and every input's entry. */
interface Build {
  readonly manifest: Manifest;
  readonly entries: readonly ManifestEntry[];
}

/** Result i's bytes, verified against the checksum Stage B recorded; a StageError naming the task and how to recompute it. */
async function verifiedBytes(
  storage: Storage,
  layout: RunLayout,
  build: Build,
  index: number,
): Promise<Uint8Array> {
  const checked = await checkResult(storage, layout, index, build.entries[index]!.sha256);
  if (checked.ok) return checked.bytes;
  if (checked.cause !== undefined) throw checked.cause;
  throw new StageError(
    `Task ${index}'s result is refused: ${checked.detail}; ${recomputeHint(layout, index)}`,
  );
}

async function readResult(
  storage: Storage,
  layout: RunLayout,
  build: Build,
  index: number,
): Promise<TaskResult> {
  const bytes = await verifiedBytes(storage, layout, build, index);
  let result: TaskResult;
  try {
    result = decodeResult(bytes);
  } catch (error) {
    throw new StageError(
      `Invalid result ${layout.result(index)}: ${(error as Error).message}; ${recomputeHint(layout, index)}`,
    );
  }
  if (result.inputSha256 !== build.entries[index]!.sha256) {
    throw new StageError(
      `Result ${layout.result(index)} was computed from a different input than the manifest's (stale result): re-run task ${index}`,
    );
  }
  return result;
}

async function checkResults(
  config: OutputStageConfig,
  storage: Storage,
  build: Build,
  log: Logger,
): Promise<number[]> {
  if (config.numTasks !== undefined && config.numTasks !== build.manifest.numTasks) {
    throw new ValidationError(
      `NUM_TASKS=${config.numTasks} does not match the manifest's numTasks=${build.manifest.numTasks} (${config.layout.manifest}): unset NUM_TASKS or fix it`,
    );
  }
  const missing = await tasksWithoutResult(storage, config.layout, build.manifest.numTasks);
  if (missing.length > 0 && !config.allowPartial) {
    throw new StageError(
      `${missing.length} of ${build.manifest.numTasks} result(s) missing, task index(es) ${formatIndexes(missing)}: re-run those tasks, or set ALLOW_PARTIAL_RESULTS=true to aggregate the rest`,
    );
  }
  if (missing.length === build.manifest.numTasks)
    throw new StageError(
      `No results at all under ${config.layout.resultsPrefix}: nothing to aggregate`,
    );
  if (missing.length > 0)
    log.info('aggregating partial results', { missing: formatIndexes(missing) });
  return missing;
}

/**
 * Reads the present results in small parallel batches, one result at a time
 * into the streamed CSV tables (and the forecast pools), in index order; writes
 * every file but `index.json` into `dir`. Returns name -> rows, in write order.
 */
async function writeFiles(
  config: OutputStageConfig,
  storage: Storage,
  build: Build,
  present: readonly number[],
  dir: string,
  log: Logger,
) {
  const files = await readSnapshot(storage, config.layout);
  // a forecast is loaded at the reference date its results were computed for (Stage A may have had an override)
  const first = await readResult(storage, config.layout, build, present[0]!);
  const exp = loadExperiment(files, {
    ...(config.outputConfigFile === undefined ? {} : { outputConfigFile: config.outputConfigFile }),
    ...(first.calibration ? { referenceDate: first.calibration.referenceDate } : {}),
  });
  const tables = new OutputFiles(exp, storage, dir);
  const forecast = exp.modelset?.calibration ? new ForecastFiles(exp) : undefined;
  const ensemble = forecast || !exp.output.figures ? undefined : new EnsembleFigures(exp);
  try {
    for (let k = 0; k < present.length; k += READ_BATCH) {
      const batch = await mapLimit(present.slice(k, k + READ_BATCH), READ_BATCH, (i) =>
        readResult(storage, config.layout, build, i),
      );
      for (const result of batch) {
        await tables.add(result);
        forecast?.add(result);
        ensemble?.add(result);
      }
    }
  } catch (error) {
    await tables.abort();
    throw error;
  }
  const written = await tables.finish();
  const {
    tables: forecastTables = [],
    hubFile,
    figures: forecastFigures = [],
    posteriors = [],
  } = forecast?.finish() ?? {};
  for (const table of forecastTables) {
    for (const [name, rows] of await writeWholeTable(storage, dir, table, exp.output.formats))
      written.set(name, rows);
  }
  const texts = [
    ...(hubFile ? [hubFile] : []),
    {
      name: 'output_config.yaml',
      text: exp.outputFile ? files.get(exp.outputFile)! : stringify({ output: exp.output }),
      rows: 0,
    },
  ];
  for (const { name, text, rows } of texts) {
    await storage.put(`${dir}${name}`, text);
    written.set(name, rows);
  }
  const figures = await writeFigures(
    storage,
    dir,
    [...(ensemble?.finish() ?? []), ...forecastFigures],
    log,
  );
  for (const [name, rows] of figures.files) written.set(name, rows);
  return {
    written,
    outputFile: exp.outputFile ?? null,
    figures: figures.report,
    posteriors,
    referenceDate: first.calibration?.referenceDate,
  };
}

/**
 * The output folder for a Stage C that starts writing at `createdAt`: its UTC stamp,
 * or the next free second when an earlier Stage C of the run already wrote
 * that folder, so an output is never overwritten.
 */
async function freshOutputDir(
  storage: Storage,
  layout: RunLayout,
  createdAt: Date,
): Promise<string> {
  for (let second = 0; second < 3600; second++) {
    const dir = layout.outputDir(utcStamp(new Date(createdAt.getTime() + second * 1000)));
    if ((await storage.list(dir)).length === 0) return dir;
  }
  throw new StageError(
    `No free output folder under ${layout.outputsPrefix} within an hour of ${createdAt.toISOString()}`,
  );
}

/**
 * Stage C: checks all N results (missing indexes fail the stage unless partial
 * results are allowed), then writes `outputs/<UTC stamp>/`: quantile tables,
 * optional trajectories, model metadata, a copy of the output config, and
 * `index.json` LAST, so a folder without it is an unfinished output.
 */
export async function runOutput(
  config: OutputStageConfig,
  storage: Storage,
  log: Logger,
): Promise<OutputSummary> {
  const start = performance.now();
  const { layout } = config;
  for (const dir of await removeUnfinishedOutputs(storage, layout))
    log.info('removed unfinished output folder', { output_dir: dir });
  const manifest = await readManifest(storage, layout);
  const build: Build = { manifest, entries: await readManifestEntries(storage, layout, manifest) };
  const missing = await checkResults(config, storage, build, log);
  const present = build.entries.map((e) => e.index).filter((i) => !missing.includes(i));
  const createdAt = (config.now ?? (() => new Date()))();
  const dir = await freshOutputDir(storage, layout, createdAt);
  const out = await writeFiles(config, storage, build, present, dir, log);
  const { written, outputFile: outputConfigFile } = out;
  const counts = { numTasks: build.manifest.numTasks, resultsUsed: present.length, missing };
  const report = await writeReport(storage, layout, dir, {
    run: {
      expId: layout.expId,
      runId: layout.runId,
      ...(out.referenceDate ? { referenceDate: out.referenceDate } : {}),
      ...counts,
      createdAt: createdAt.toISOString(),
      outputDir: dir.slice(layout.prefix.length),
    },
    figures: out.figures,
    posteriors: out.posteriors,
    files: written,
    outputConfigFile,
    startedAt: start,
    generator: `epycloud ${EPYCLOUD_VERSION}`,
  });
  written.set(report, 0);
  const buildMs = elapsedMs(start);
  const files = [...written].map(([name, rows]) => ({ name, rows }));
  await storage.putJson(`${dir}${OUTPUT_INDEX}`, {
    version: 1,
    createdAt: createdAt.toISOString(),
    ...counts,
    partial: missing.length > 0,
    outputConfigFile,
    files,
  });
  log.info('outputs written', { output_dir: dir, files: files.length, results: present.length });
  const summary: OutputSummary = {
    stage: 'output',
    outputDir: dir,
    ...counts,
    files,
    timingsMs: { build: buildMs, total: elapsedMs(start) },
  };
  await storage.putJson(layout.summary('output'), summary);
  return summary;
}
