import type { FaultInjection } from '../lib/contract/env.js';
import type { RunLayout } from '../lib/contract/layout.js';
import { runEnsemble } from '../lib/engine/ensemble.js';
import type { ResultChecksum } from '../lib/contract/result-checksum.js';
import { StageError } from '../lib/errors.js';
import { taskInputSchema, type TaskInput, type TaskResult } from '../lib/experiment/task.js';
import type { Logger } from '../lib/log.js';
import { checkResult, writeResult } from '../lib/run/result-check.js';
import type { Storage } from '../lib/storage/index.js';
import { elapsedMs, sha256 } from './artifacts.js';
import { readManifest, readManifestEntry } from '../lib/run/manifest.js';
import type { Manifest } from '../lib/contract/manifest.js';
import { computeForecastResult } from './forecast-result.js';
import { resultDocument } from './result-document.js';
import { encodeResult } from './result-arrow.js';
import { calibrationPlan, calibrationRecorder } from './calibration-progress.js';
import {
  cacheActive,
  taskCacheHash,
  writeCacheEntry,
  type TaskCacheConfig,
} from '../lib/run/task-cache.js';

/** Typed configuration of one Stage B task. */
export interface RunnerConfig {
  readonly layout: RunLayout;
  readonly taskIndex: number;
  readonly faultInjection?: FaultInjection | undefined;
  /** The run's manifest when the caller already read it (the stage entrypoint, to resolve the task index). */
  readonly manifest?: Manifest | undefined;
  /** Clock of the calibration progress' `updatedAt` and the summary's times. */
  readonly now?: () => Date;
  /** Which attempt of the task this is (1-based; `EPYCLOUD_ATTEMPT` or `AWS_BATCH_JOB_ATTEMPT`). */
  readonly attempt?: number;
  /** The cross-run task cache: a computed result is recorded for later runs. */
  readonly cache?: TaskCacheConfig | undefined;
}

/** What a task did (also written to `summaries/runner_NNNNN.json`). */
export interface RunnerSummary {
  readonly stage: 'runner';
  readonly taskIndex: number;
  /** True when a result for the same input hash already existed, matching its recorded checksum. */
  readonly skipped: boolean;
  /** The result's checksum, recorded after the result is written: what Stage C and `--resume` verify. */
  readonly result: ResultChecksum;
  readonly nSims: number;
  readonly timingsMs: { readonly simulate: number; readonly total: number };
  /** When this attempt started and finished (ISO): the report's Stage B wall time and concurrency. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Which attempt wrote this summary (1 = no retry). */
  readonly attempt: number;
}

/** The checksum of result i when it is already good for this input; undefined (logging why unless it is missing) when it must be computed. */
async function existingResult(
  storage: Storage,
  config: RunnerConfig,
  inputSha256: string,
  log: Logger,
): Promise<ResultChecksum | undefined> {
  const checked = await checkResult(storage, config.layout, config.taskIndex, inputSha256);
  if (checked.ok) return checked.checksum;
  if (checked.problem !== 'missing')
    log.info('existing result cannot be used; recomputing it', {
      problem: checked.problem,
      reason: checked.detail,
    });
  return undefined;
}

/** Counts this attempt in the task's marker; throws while attempts so far are below the configured count. */
async function injectFault(storage: Storage, config: RunnerConfig, log: Logger): Promise<void> {
  const fault = config.faultInjection;
  if (!fault?.tasks.has(config.taskIndex)) return;
  const key = config.layout.faultMarker(config.taskIndex);
  const previous = (await storage.exists(key))
    ? ((await storage.getJson<{ attempts?: number }>(key)).attempts ?? 0)
    : 0;
  await storage.putJson(key, { attempts: previous + 1 });
  if (previous < fault.attempts) {
    const failing = Number.isFinite(fault.attempts) ? fault.attempts : 'every';
    log.error('injected fault', { attempt: previous + 1, failing_attempts: failing });
    throw new StageError(
      `Injected fault: task ${config.taskIndex} fails attempt ${previous + 1} (failing attempts: ${failing})`,
    );
  }
}

async function readInput(
  storage: Storage,
  layout: RunLayout,
  index: number,
  expected: string,
): Promise<{ input: TaskInput; text: string }> {
  const text = await storage.getText(layout.input(index));
  if (sha256(text) !== expected)
    throw new StageError(
      `Input ${layout.input(index)} does not match the sha256 in the manifest: the build is corrupt; rebuild with a new run id`,
    );
  const parsed = taskInputSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new StageError(
      `Invalid task input ${layout.input(index)}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  return { input: parsed.data, text };
}

/** Records result i in the cross-run cache under its task's identity, when the run uses the cache. */
async function recordInCache(
  config: RunnerConfig,
  storage: Storage,
  inputText: string,
  checksum: ResultChecksum,
  now: () => Date,
): Promise<void> {
  if (!cacheActive(config.cache)) return;
  const { layout, taskIndex } = config;
  await writeCacheEntry(storage, layout, taskCacheHash(inputText, config.cache.codeSha256), {
    expId: layout.expId,
    runId: layout.runId,
    taskIndex,
    result: { key: checksum.key, sha256: checksum.sha256, bytes: checksum.bytes },
    codeSha256: config.cache.codeSha256,
    createdAt: now().toISOString(),
  });
}

/** Runs the ensemble of one input into a result document. */
export function computeResult(input: TaskInput, inputSha256: string): TaskResult {
  const ensemble = runEnsemble(input.model, {
    nSims: input.nSims,
    resample: input.resample,
    seedKeys: [input.randomSeed, input.taskIndex],
  });
  return resultDocument(input, inputSha256, { ...ensemble, nSims: input.nSims });
}

/** A task's result: a forecast, recording its calibration progress after each generation, or a plain ensemble. */
async function computeTask(
  config: RunnerConfig,
  storage: Storage,
  log: Logger,
  input: TaskInput,
  inputSha256: string,
): Promise<TaskResult> {
  if (input.calibration === undefined) return computeResult(input, inputSha256);
  const recorder = calibrationRecorder({
    storage,
    key: config.layout.progress(config.taskIndex),
    plan: calibrationPlan(input.calibration.strategy),
    log,
    fields: { population: input.population.code },
    now: config.now,
  });
  const result = await computeForecastResult(input, inputSha256, recorder.onGeneration);
  await recorder.flush();
  return result;
}

/**
 * Stage B, one task: reads input i, runs its n_sims trajectories, writes
 * result i, then its summary recording the result's checksum. Idempotent: a
 * result computed from the same input hash whose bytes match its recorded
 * checksum is left alone; anything else (missing, unreadable, unrecorded,
 * stale, edited) is recomputed. The result is written whole (atomic put).
 */
export async function runRunner(
  config: RunnerConfig,
  storage: Storage,
  log: Logger,
): Promise<RunnerSummary> {
  const start = performance.now();
  const now = config.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const { layout, taskIndex } = config;
  const manifest = config.manifest ?? (await readManifest(storage, layout));
  const entry = await readManifestEntry(storage, layout, manifest, taskIndex);
  const resultKey = layout.result(taskIndex);
  let summary: Omit<RunnerSummary, 'startedAt' | 'finishedAt' | 'attempt'>;
  const existing = await existingResult(storage, config, entry.sha256, log);
  if (existing !== undefined) {
    log.info('result already present for this input; nothing to do', { key: resultKey });
    summary = {
      stage: 'runner',
      taskIndex,
      skipped: true,
      result: existing,
      nSims: 0,
      timingsMs: { simulate: 0, total: elapsedMs(start) },
    };
  } else {
    await injectFault(storage, config, log);
    const { input, text } = await readInput(storage, layout, taskIndex, entry.sha256);
    const simStart = performance.now();
    const result = await computeTask(config, storage, log, input, entry.sha256);
    const simulateMs = elapsedMs(simStart);
    const checksum = await writeResult(
      storage,
      layout,
      taskIndex,
      entry.sha256,
      encodeResult(result),
    );
    await recordInCache(config, storage, text, checksum, now);
    log.info('result written', {
      key: resultKey,
      n_sims: result.nSims,
      population: input.population.code,
      sample_id: input.sample.id,
      simulate_ms: simulateMs,
    });
    summary = {
      stage: 'runner',
      taskIndex,
      skipped: false,
      result: checksum,
      nSims: result.nSims,
      timingsMs: { simulate: simulateMs, total: elapsedMs(start) },
    };
  }
  const recorded: RunnerSummary = {
    ...summary,
    startedAt,
    finishedAt: now().toISOString(),
    attempt: config.attempt ?? 1,
  };
  await storage.putJson(layout.summary('runner', taskIndex), recorded);
  return recorded;
}
