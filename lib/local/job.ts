import type { JobOptions, WorkflowResult } from '../backend/types.js';
import { workflowResult } from '../backend/result.js';
import { RunLayout } from '../contract/layout.js';
import { RUN_DIRS } from '../contract/run-dirs.js';
import { ValidationError } from '../errors.js';
import { withRunLock } from './run-lock.js';
import { bucketPath, logsPrefix } from './run-state.js';
import { latestOutputDir } from '../run/output-folders.js';
import { hasManifest, readManifest } from '../run/manifest.js';
import { runStage, runTasks, withSession, type LocalContext } from './stages.js';
import { experimentDir, experimentOverrides } from './workflow.js';

async function ensureSnapshot(
  ctx: LocalContext,
  layout: RunLayout,
  options: JobOptions,
): Promise<void> {
  if ((await ctx.storage.list(layout.experimentPrefixKey)).length > 0) return;
  const dir = await experimentDir(ctx.paths, layout.expId);
  await ctx.experiments.validate(dir, experimentOverrides(options));
  await ctx.experiments.snapshot(dir, ctx.storage, layout);
}

async function runnerIndexes(
  ctx: LocalContext,
  layout: RunLayout,
  options: JobOptions,
): Promise<number[]> {
  if (options.taskIndex !== undefined) return [options.taskIndex];
  if (options.numTasks !== undefined) return Array.from({ length: options.numTasks }, (_, i) => i);
  if (!(await hasManifest(ctx.storage, layout))) {
    throw new ValidationError(
      `Run ${layout.runId} of ${layout.expId} has no manifest (${RUN_DIRS.builder}/manifest.json): run Stage A first, or give --task-index`,
    );
  }
  const { numTasks } = await readManifest(ctx.storage, layout);
  return Array.from({ length: numTasks }, (_, i) => i);
}

async function manifestTasks(
  ctx: LocalContext,
  layout: RunLayout,
  fallback: number,
): Promise<number> {
  return (await hasManifest(ctx.storage, layout))
    ? (await readManifest(ctx.storage, layout)).numTasks
    : fallback;
}

function baseResult(ctx: LocalContext, layout: RunLayout, options: JobOptions): WorkflowResult {
  return workflowResult({
    status: 'succeeded',
    backend: 'local',
    runtime: ctx.launcher.runtime,
    expId: layout.expId,
    runId: layout.runId,
    numTasks: options.numTasks ?? 0,
    logs: bucketPath(ctx.paths.bucketDir, logsPrefix(layout)),
  });
}

async function runnerJob(
  ctx: LocalContext,
  layout: RunLayout,
  options: JobOptions,
): Promise<WorkflowResult> {
  const indexes = await runnerIndexes(ctx, layout, options);
  const { pool, stats } = await withSession(ctx, 0, (session) =>
    runTasks(ctx, layout, indexes, options, session),
  );
  const failed = pool.failed.length > 0;
  return {
    ...baseResult(ctx, layout, options),
    status: failed ? 'failed' : 'succeeded',
    numTasks: await manifestTasks(ctx, layout, options.numTasks ?? 0),
    durationsMs: { runner: stats.wallMs },
    runner: stats,
    failedTasks: pool.failed,
    retriedTasks: pool.outcomes.filter((o) => o.attempts > 1).map((o) => o.index),
    ...(failed
      ? {
          failure: `Stage runner: task(s) ${pool.failed.join(', ')} failed after ${options.retries + 1} attempt(s)`,
        }
      : {}),
  };
}

async function stageJob(
  ctx: LocalContext,
  layout: RunLayout,
  options: JobOptions,
): Promise<WorkflowResult> {
  if (options.stage === 'builder') await ensureSnapshot(ctx, layout, options);
  const numTasks = options.stage === 'output' ? options.numTasks : undefined;
  const result = await runStage(ctx, layout, options.stage, {
    ...experimentOverrides(options),
    numTasks,
  });
  const ok = result.exitCode === 0;
  const outputs =
    options.stage === 'output' && ok ? await latestOutputDir(ctx.storage, layout) : undefined;
  const hint = `epycloud logs --local --exp-id ${layout.expId} --run-id ${layout.runId} --stage ${options.stage}`;
  return {
    ...baseResult(ctx, layout, options),
    status: ok ? 'succeeded' : 'failed',
    numTasks: await manifestTasks(ctx, layout, options.numTasks ?? 0),
    durationsMs: { [options.stage]: result.durationMs },
    ...(outputs === undefined ? {} : { outputs: bucketPath(ctx.paths.bucketDir, outputs) }),
    ...(ok
      ? {}
      : { failure: `Stage ${options.stage} failed (exit code ${result.exitCode}); see: ${hint}` }),
  };
}

/**
 * Runs one stage of a run alone: Stage A (snapshotting the experiment first
 * when the run has none), one Stage B task or all of them, or Stage C; holding
 * the run's lock (a `BusyError` when another process holds it).
 */
export async function runLocalJob(ctx: LocalContext, options: JobOptions): Promise<WorkflowResult> {
  const started = performance.now();
  const layout = new RunLayout(options.expId, options.runId);
  await ctx.launcher.ready?.();
  const result = await withRunLock(ctx, layout, () =>
    options.stage === 'runner' ? runnerJob(ctx, layout, options) : stageJob(ctx, layout, options),
  );
  return { ...result, totalMs: performance.now() - started };
}
