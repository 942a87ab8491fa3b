import type { RunLayout } from '../lib/contract/layout.js';
import type { Manifest, ManifestEntry } from '../lib/contract/manifest.js';
import { StageError } from '../lib/errors.js';
import { buildTaskInputs } from '../lib/experiment/expand.js';
import { loadExperiment } from '../lib/experiment/load.js';
import { readSnapshot } from '../lib/experiment/snapshot.js';
import type { Logger } from '../lib/log.js';
import type { Storage } from '../lib/storage/index.js';
import { elapsedMs, mapLimit, sha256 } from './artifacts.js';
import { readManifest, readManifestEntries, writeManifest } from '../lib/run/manifest.js';
import type { TaskCacheConfig } from '../lib/run/task-cache.js';
import { reuseCachedResults, type CacheReport } from './cache-reuse.js';

/** Typed configuration of Stage A. */
export interface BuilderConfig {
  readonly layout: RunLayout;
  /** `OUTPUT_CONFIG_FILE`: validated here so a bad choice fails before Stage B spends anything. */
  readonly outputConfigFile?: string | undefined;
  /** `REFERENCE_DATE`: the forecast week, overriding `modelset.calibration.reference_date`. */
  readonly referenceDate?: string | undefined;
  readonly now?: () => Date;
  /** The cross-run task cache: results of identical tasks of earlier runs are reused. */
  readonly cache?: TaskCacheConfig | undefined;
}

/** What Stage A did (also written to `summaries/builder.json`). */
export interface BuilderSummary {
  readonly stage: 'builder';
  readonly numTasks: number;
  /** True when an identical build already existed and nothing was written. */
  readonly reused: boolean;
  /** Results taken from earlier runs' identical tasks. */
  readonly cache: CacheReport;
  readonly timingsMs: { readonly load: number; readonly write: number; readonly total: number };
}

async function sameInputs(
  storage: Storage,
  layout: RunLayout,
  existing: Manifest,
  inputs: readonly ManifestEntry[],
): Promise<boolean> {
  if (existing.numTasks !== inputs.length) return false;
  const entries = await readManifestEntries(storage, layout, existing);
  return entries.every((entry, i) => entry.sha256 === inputs[i]?.sha256);
}

/** The task inputs of the snapshot: JSON bodies and their manifest entries. Throws ConfigError for a bad experiment. */
async function buildInputs(config: BuilderConfig, storage: Storage, log: Logger) {
  const { layout } = config;
  const files = await readSnapshot(storage, layout);
  if (files.size === 0) {
    throw new StageError(
      `No experiment snapshot under ${layout.experimentPrefixKey} (in ${storage.location}): upload the experiment before Stage A`,
    );
  }
  const experiment = loadExperiment(files, {
    ...(config.outputConfigFile === undefined ? {} : { outputConfigFile: config.outputConfigFile }),
    ...(config.referenceDate === undefined ? {} : { referenceDate: config.referenceDate }),
  });
  const bodies = buildTaskInputs(experiment, { expId: layout.expId, runId: layout.runId }).map(
    (task) => JSON.stringify(task),
  );
  log.info('experiment validated', { num_tasks: bodies.length, model: experiment.model.name });
  return {
    bodies,
    inputs: bodies.map((body, index) => ({
      index,
      key: layout.input(index),
      sha256: sha256(body),
    })),
  };
}

/** Whether a previous build exists: false when none; true when identical; throws when it differs. */
async function previousBuild(
  storage: Storage,
  layout: RunLayout,
  inputs: readonly ManifestEntry[],
): Promise<boolean> {
  if (!(await storage.exists(layout.manifest))) return false;
  const existing = await readManifest(storage, layout);
  if (await sameInputs(storage, layout, existing, inputs)) return true;
  throw new StageError(
    `Run ${layout.runId} already has a manifest with different inputs (${existing.numTasks} task(s) built ${existing.createdAt}); refusing to overwrite: start a new run id`,
  );
}

/**
 * Stage A: reads the experiment snapshot from storage, validates it, writes
 * the N task inputs, then the manifest LAST (its presence means Stage A
 * completed). On a run that already has a manifest it does nothing when the
 * inputs would be identical and refuses otherwise (use a new run id). Last,
 * tasks an earlier run already computed get that result ({@link reuseCachedResults}).
 */
export async function runBuilder(
  config: BuilderConfig,
  storage: Storage,
  log: Logger,
): Promise<BuilderSummary> {
  const start = performance.now();
  const { layout } = config;
  const { bodies, inputs } = await buildInputs(config, storage, log);
  const loadMs = elapsedMs(start);
  const reused = await previousBuild(storage, layout, inputs);
  if (reused) {
    log.info('identical build already present; nothing written', { num_tasks: inputs.length });
  } else {
    await mapLimit(bodies, 16, (body, i) => storage.put(inputs[i]!.key, body));
    const createdAt = (config.now ?? (() => new Date()))().toISOString();
    await writeManifest(storage, layout, inputs, createdAt);
    log.info('task inputs and manifest written', { num_tasks: inputs.length });
  }
  const now = config.now ?? (() => new Date());
  const cache = await reuseCachedResults(
    { layout, cache: config.cache, now, bodies, inputs },
    storage,
    log,
  );
  const total = elapsedMs(start);
  const summary: BuilderSummary = {
    stage: 'builder',
    numTasks: inputs.length,
    reused,
    cache,
    timingsMs: { load: loadMs, write: Math.round((total - loadMs) * 10) / 10, total },
  };
  await storage.putJson(layout.summary('builder'), summary);
  return summary;
}
