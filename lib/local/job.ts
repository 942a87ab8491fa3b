import type { JobOptions, WorkflowResult } from '../backend/types.js';
import { workflowResult } from '../backend/result.js';
import { RunLayout } from '../contract/layout.js';
import { RUN_DIRS } from '../contract/run-dirs.js';
import type { StageImage } from '../contract/stage-image.js';
import { readRunStageImage } from '../experiment/stage-image.js';
import { ValidationError } from '../errors.js';
import { withRunLock } from './run-lock.js';
import { bucketPath, logsPrefix } from './run-state.js';
import { latestOutputDir } from '../run/output-folders.js';
import { hasManifest, readManifest } from '../run/manifest.js';
import { launcherFor, runStage, runTasks, withSession, type LocalContext } from './stages.js';
import { experimentDir, experimentOverrides } from './prepare-run.js';

const hasSnapshot = async (ctx: LocalContext, layout: RunLayout): Promise<boolean> =>
  (await ctx.storage.list(layout.experimentPrefixKey)).length > 0;

/** What a job runs in, and for Stage A of a run without a snapshot the folder to snapshot. */
interface JobSource {
  readonly declared: StageImage | undefined;
  /** The experiment folder, validated, that Stage A snapshots first. */
  readonly folder?: string;
}

/**
 * What a job's stages run in: the stage image the run's snapshot names (the
 * snapshot checked against its manifest); for Stage A of a run without one,
 * the folder's, validated before anything is written. Stages B and C of a run
 * without a snapshot get the built-in engine, whose stage says there is none.
 */
async function jobSource(
  ctx: LocalContext,
  layout: RunLayout,
  options: JobOptions,
): Promise<JobSource> {
  if (await hasSnapshot(ctx, layout))
    return { declared: await readRunStageImage(ctx.storage, layout) };
  if (options.stage !== 'builder') return { declared: undefined };
  const folder = await experimentDir(ctx.paths, layout.expId);
  const { stageImage } = await ctx.experiments.validate(folder, experimentOverrides(options));
  return { declared: stageImage, folder };
}

/** Snapshots the validated folder into the run, unless a snapshot appeared meanwhile. */
async function ensureSnapshot(ctx: LocalContext, layout: RunLayout, folder: string): Promise<void> {
  if (!(await hasSnapshot(ctx, layout)))
    await ctx.experiments.snapshot(folder, ctx.storage, layout);
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
  folder: string | undefined,
): Promise<WorkflowResult> {
  if (folder !== undefined) await ensureSnapshot(ctx, layout, folder);
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
 * when the run has none), one Stage B task or all of them, or Stage C, in
 * what the run's experiment runs in (the built-in engine or its own image);
 * holding the run's lock (a `BusyError` when another process holds it).
 */
export async function runLocalJob(
  caller: LocalContext,
  options: JobOptions,
): Promise<WorkflowResult> {
  const started = performance.now();
  const layout = new RunLayout(options.expId, options.runId);
  const source = await jobSource(caller, layout, options);
  const ctx: LocalContext = { ...caller, launcher: launcherFor(caller, source.declared) };
  await ctx.launcher.ready?.();
  const result = await withRunLock(ctx, layout, () =>
    options.stage === 'runner'
      ? runnerJob(ctx, layout, options)
      : stageJob(ctx, layout, options, source.folder),
  );
  return { ...result, totalMs: performance.now() - started };
}
