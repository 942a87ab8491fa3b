import { join } from 'node:path';
import type { RunLayout, StageName } from '../contract/layout.js';
import type { WorkflowOptions, WorkflowResult } from '../backend/types.js';
import { workflowResult } from '../backend/result.js';
import { resultsToCompute, type ResultToCompute } from '../run/result-check.js';
import { readCacheReport } from '../run/task-cache.js';
import { recordRunEnd, recordRunStart } from './run-recording.js';
import { experimentOverrides, prepareRun, type LockRun, type Prepared } from './prepare-run.js';
import { bucketPath, logsPrefix } from './run-state.js';
import { latestOutputDir } from '../run/output-folders.js';
import { hasManifest, readManifest } from '../run/manifest.js';
import { runLockSlot } from './run-lock.js';
import {
  runStage,
  runTasks,
  withSession,
  type LocalContext,
  type StageSettings,
} from './stages.js';
import type { StageSession } from './types.js';

type Draft = { -readonly [K in keyof WorkflowResult]: WorkflowResult[K] };

function logsHint(layout: RunLayout, stage: StageName, index?: number): string {
  const task = index === undefined ? '' : ` --task-index ${index}`;
  return `epycloud logs --local --exp-id ${layout.expId} --run-id ${layout.runId} --stage ${stage}${task}`;
}

function stageFailed(
  draft: Draft,
  layout: RunLayout,
  stage: StageName,
  exitCode: number,
): WorkflowResult {
  return {
    ...draft,
    status: 'failed',
    failure: `Stage ${stage} failed (exit code ${exitCode}); see: ${logsHint(layout, stage)}`,
  };
}

function tasksFailed(
  draft: Draft,
  layout: RunLayout,
  failed: readonly number[],
  attempts: number,
): WorkflowResult {
  const first = failed[0];
  return {
    ...draft,
    status: 'failed',
    failedTasks: failed,
    failure:
      `Stage runner failed: task(s) ${failed.join(', ')} of ${draft.numTasks} failed after ${attempts} attempt(s); Stage output did not run. ` +
      `See: ${logsHint(layout, 'runner', first)}; when fixed: epycloud run workflow --local --exp-id ${layout.expId} --resume ${layout.runId}`,
  };
}

/**
 * Runs an experiment locally: validate, snapshot, Stage A, Stage B tasks in
 * parallel with retries, Stage C. A failed stage or task ends the run with
 * `status: 'failed'` before the next stage; `resume` reruns only what is missing.
 * From its first write the run holds its lock (a `BusyError` when another
 * process holds it), released however the workflow ends.
 */
export async function runLocalWorkflow(
  ctx: LocalContext,
  options: WorkflowOptions,
): Promise<WorkflowResult> {
  const lock = runLockSlot(ctx);
  try {
    return await runWorkflow(ctx, options, lock.take);
  } finally {
    await lock.release();
  }
}

async function runWorkflow(
  caller: LocalContext,
  options: WorkflowOptions,
  lock: LockRun,
): Promise<WorkflowResult> {
  const started = performance.now();
  const prepared = await prepareRun(caller, options, lock);
  const ctx: LocalContext = { ...caller, launcher: prepared.launcher };
  const { layout } = prepared;
  const draft: Draft = workflowResult({
    status: 'planned',
    backend: 'local',
    runtime: ctx.launcher.runtime,
    expId: layout.expId,
    runId: layout.runId,
    numTasks: prepared.plannedTasks ?? 0,
    logs: bucketPath(ctx.paths.bucketDir, logsPrefix(layout)),
    ...(prepared.plan ? { plan: prepared.plan } : {}),
    ...(prepared.image ? { image: prepared.image } : {}),
  });
  if (options.dryRun) return draft;
  // A new run starts its slots (Docker: containers) at once: Stage A runs in one, Stage B in all.
  const warm = prepared.resumed ? 0 : Math.min(options.parallelism, prepared.plannedTasks ?? 1);
  const folder = join(ctx.paths.experimentsDir, ...layout.expId.split('/'));
  const record = await recordRunStart(ctx, layout, options, folder, prepared.resumed);
  let result: WorkflowResult;
  try {
    result = await withSession(ctx, warm, (session) =>
      execute(ctx, options, prepared, draft, session),
    );
  } catch (error) {
    await recordRunEnd(ctx, layout, record, { error }).catch(() => undefined);
    throw error;
  }
  await recordRunEnd(ctx, layout, record, result);
  return { ...result, totalMs: performance.now() - started };
}

/** Stage A's settings: the experiment overrides, and the task cache off with `--no-cache`. */
function builderSettings(options: WorkflowOptions): StageSettings {
  return { ...experimentOverrides(options), ...(options.noCache ? { cache: false } : {}) };
}

/** How many results Stage A took from the task cache (its summary), said as a note; undefined when it did not look. */
async function cacheHits(ctx: LocalContext, layout: RunLayout): Promise<number | undefined> {
  const report = await readCacheReport(ctx.storage, layout);
  if (report === undefined) return undefined;
  if (report.hits > 0)
    ctx.progress({
      type: 'note',
      message: `cache: ${report.hits} of ${report.numTasks} task result(s) reused from earlier runs`,
    });
  return report.hits;
}

/** Says how many results a resume keeps, and why it recomputes each present result it does not keep. */
function noteResumedResults(
  ctx: LocalContext,
  layout: RunLayout,
  numTasks: number,
  toCompute: readonly ResultToCompute[],
): void {
  const kept = numTasks - toCompute.length;
  if (kept > 0)
    ctx.progress({
      type: 'note',
      message: `Resuming ${layout.runId}: ${kept} of ${numTasks} results kept`,
    });
  for (const { index, detail } of toCompute.filter((r) => r.problem !== 'missing')) {
    ctx.progress({
      type: 'note',
      message: `Resuming ${layout.runId}: recomputing task ${index}: ${detail}`,
    });
  }
}

async function execute(
  ctx: LocalContext,
  options: WorkflowOptions,
  prepared: Prepared,
  draft: Draft,
  session: StageSession,
): Promise<WorkflowResult> {
  const { layout } = prepared;
  if (prepared.resumed && (await hasManifest(ctx.storage, layout))) {
    ctx.progress({ type: 'note', message: `Resuming ${layout.runId}: Stage builder already done` });
  } else {
    const a = await runStage(ctx, layout, 'builder', builderSettings(options), session);
    draft.durationsMs = { ...draft.durationsMs, builder: a.durationMs };
    if (a.exitCode !== 0) return stageFailed(draft, layout, 'builder', a.exitCode);
  }
  const manifest = await readManifest(ctx.storage, layout);
  draft.numTasks = manifest.numTasks;
  const toCompute = await resultsToCompute(ctx.storage, layout, manifest);
  if (prepared.resumed) noteResumedResults(ctx, layout, draft.numTasks, toCompute);
  const cachedTasks = await cacheHits(ctx, layout);
  if (cachedTasks !== undefined) draft.cachedTasks = cachedTasks;
  const indexes = toCompute.map((r) => r.index);
  const b = await runTasks(ctx, layout, indexes, { ...options, cache: !options.noCache }, session);
  draft.durationsMs = { ...draft.durationsMs, runner: b.stats.wallMs };
  draft.runner = b.stats;
  draft.retriedTasks = b.pool.outcomes.filter((o) => o.attempts > 1).map((o) => o.index);
  if (b.pool.failed.length > 0)
    return tasksFailed(draft, layout, b.pool.failed, options.retries + 1);
  if (options.skipOutput) return { ...draft, status: 'succeeded' };
  const c = await runStage(
    ctx,
    layout,
    'output',
    { numTasks: draft.numTasks, outputConfigFile: options.outputConfigFile },
    session,
  );
  draft.durationsMs = { ...draft.durationsMs, output: c.durationMs };
  if (c.exitCode !== 0) return stageFailed(draft, layout, 'output', c.exitCode);
  const outputs = await latestOutputDir(ctx.storage, layout);
  return {
    ...draft,
    status: 'succeeded',
    outputs: outputs === undefined ? undefined : bucketPath(ctx.paths.bucketDir, outputs),
  };
}
