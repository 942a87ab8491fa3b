import type { RunLayout } from '../lib/contract/layout.js';
import type { Manifest } from '../lib/contract/manifest.js';
import { StageError } from '../lib/errors.js';
import { buildTaskInputs } from '../lib/experiment/expand.js';
import { loadExperiment } from '../lib/experiment/load.js';
import { readSnapshot } from '../lib/experiment/snapshot.js';
import type { Logger } from '../lib/log.js';
import type { Storage } from '../lib/storage/index.js';
import { elapsedMs, mapLimit, readManifest, sha256 } from './artifacts.js';

/** Typed configuration of Stage A. */
export interface BuilderConfig {
  readonly layout: RunLayout;
  /** `OUTPUT_CONFIG_FILE`: validated here so a bad choice fails before Stage B spends anything. */
  readonly outputConfigFile?: string | undefined;
  readonly now?: () => Date;
}

/** What Stage A did (also written to `summaries/builder.json`). */
export interface BuilderSummary {
  readonly stage: 'builder';
  readonly numTasks: number;
  /** True when an identical build already existed and nothing was written. */
  readonly reused: boolean;
  readonly timingsMs: { readonly load: number; readonly write: number; readonly total: number };
}

function sameInputs(existing: Manifest, inputs: readonly { sha256: string }[]): boolean {
  return existing.numTasks === inputs.length && existing.inputs.every((entry, i) => entry.sha256 === inputs[i]?.sha256);
}

/**
 * Stage A: reads the experiment snapshot from storage, validates it, writes
 * the N task inputs, then the manifest LAST (its presence means Stage A
 * completed). On a run that already has a manifest it does nothing when the
 * inputs would be identical and refuses otherwise (use a new run id).
 */
export async function runBuilder(config: BuilderConfig, storage: Storage, log: Logger): Promise<BuilderSummary> {
  const start = performance.now();
  const { layout } = config;
  const files = await readSnapshot(storage, layout);
  if (files.size === 0)
    throw new StageError(
      `No experiment snapshot under ${layout.experimentPrefixKey} (in ${storage.location}): upload the experiment before Stage A`,
    );
  const experiment = loadExperiment(files, config.outputConfigFile === undefined ? {} : { outputConfigFile: config.outputConfigFile });
  const tasks = buildTaskInputs(experiment, { expId: layout.expId, runId: layout.runId });
  const bodies = tasks.map((task) => JSON.stringify(task));
  const inputs = bodies.map((body, index) => ({ index, key: layout.input(index), sha256: sha256(body) }));
  const loadMs = elapsedMs(start);
  log.info('experiment validated', { num_tasks: tasks.length, model: experiment.model.name });
  let reused = false;
  if (await storage.exists(layout.manifest)) {
    const existing = await readManifest(storage, layout);
    if (!sameInputs(existing, inputs)) {
      throw new StageError(
        `Run ${layout.runId} already has a manifest with different inputs (${existing.numTasks} task(s) built ${existing.createdAt}); refusing to overwrite: start a new run id`,
      );
    }
    reused = true;
    log.info('identical build already present; nothing written', { num_tasks: tasks.length });
  } else {
    await mapLimit(bodies, 16, (body, i) => storage.put(inputs[i]!.key, body));
    const manifest: Manifest = {
      version: 1,
      expId: layout.expId,
      runId: layout.runId,
      numTasks: tasks.length,
      createdAt: (config.now ?? (() => new Date()))().toISOString(),
      inputs,
    };
    await storage.putJson(layout.manifest, manifest);
    log.info('task inputs and manifest written', { num_tasks: tasks.length });
  }
  const summary: BuilderSummary = {
    stage: 'builder',
    numTasks: tasks.length,
    reused,
    timingsMs: { load: loadMs, write: Math.round((elapsedMs(start) - loadMs) * 10) / 10, total: elapsedMs(start) },
  };
  await storage.putJson(layout.summary('builder'), summary);
  return summary;
}
