import { calibrationFromLogLine } from '../contract/calibration-progress.js';
import { stageEnvironment } from '../contract/env.js';
import type { RunLayout, StageName } from '../contract/layout.js';
import type { StageImage } from '../contract/stage-image.js';
import type { ProgressSink, RunnerStats } from '../backend/types.js';
import type { Storage } from '../storage/index.js';
import type { ExperimentSource } from '../host/experiment-source.js';
import { runPool, type PoolEvent, type PoolResult } from './pool.js';
import { bucketPath } from './run-state.js';
import { openSession } from './launchers.js';
import type { StageLauncher, StageSession } from './types.js';
import type { Exec, LaunchResult } from '../host/exec.js';
import type { LocalPaths } from '../host/paths.js';

/** Everything a local run needs; tests pass fakes for launcher and experiments. */
export interface LocalContext {
  readonly paths: LocalPaths;
  readonly storage: Storage;
  /** Starts the stages: the built-in engine's launcher, or the run's once chosen ({@link launcherFor}). */
  readonly launcher: StageLauncher;
  /** The launcher of an experiment run by its own stage image (a `stages:` config); throws when this runtime cannot run one. */
  readonly imageLauncher: (declared: StageImage) => StageLauncher;
  readonly experiments: ExperimentSource;
  readonly progress: ProgressSink;
  readonly now?: () => Date;
  /** Aborted when the CLI is told to stop (SIGINT, SIGTERM): running stages are stopped, no new one starts. */
  readonly signal?: AbortSignal;
  /** Asks git about the experiment folder, for the run record (default: none asked). */
  readonly exec?: Exec;
  /** Who started the run, with what arguments (the run record). */
  readonly launchedBy?: LaunchedBy;
}

/**
 * The launcher of a run whose experiment names `declared` as its own stage
 * image: that image's; without one, the built-in engine's.
 */
export function launcherFor(ctx: LocalContext, declared: StageImage | undefined): StageLauncher {
  return declared === undefined ? ctx.launcher : ctx.imageLauncher(declared);
}

/** Who launches a run and how: `user@host` and the CLI's arguments. */
export interface LaunchedBy {
  readonly by: string;
  readonly argv: readonly string[];
}

/** Per-launch settings beyond the run itself. */
export interface StageSettings {
  readonly taskIndex?: number;
  /** Stage B: which attempt of the task (1-based). */
  readonly attempt?: number;
  readonly numTasks?: number;
  readonly outputConfigFile?: string;
  /** Stage A: `REFERENCE_DATE`. */
  readonly referenceDate?: string;
  /** Stages A and B: false turns the cross-run task cache off (`EPYCLOUD_CACHE=off`). */
  readonly cache?: boolean;
}

/** Launches one stage (or one task, through `via`) with the contract environment and its log under the run; `onLine` gets its output lines. */
function launchStage(
  ctx: LocalContext,
  layout: RunLayout,
  stage: StageName,
  settings: StageSettings = {},
  onLine?: (line: string) => void,
  via: Pick<StageSession, 'launch'> = ctx.launcher,
): Promise<LaunchResult> {
  const env = stageEnvironment({
    mode: 'local',
    expId: layout.expId,
    runId: layout.runId,
    dirPrefix: layout.dirPrefix,
    localBucketDir: ctx.paths.bucketDir,
    ...settings,
  });
  const logFile = bucketPath(ctx.paths.bucketDir, layout.log(stage, settings.taskIndex));
  return via.launch({ stage, env, logFile, onLine, signal: ctx.signal });
}

/** Runs Stage A or C (or one Stage B task), through `via` (a session) or the launcher, with start/end progress. */
export async function runStage(
  ctx: LocalContext,
  layout: RunLayout,
  stage: StageName,
  settings: StageSettings = {},
  via: Pick<StageSession, 'launch'> = ctx.launcher,
): Promise<LaunchResult> {
  ctx.progress({ type: 'stage-start', stage });
  const result = await launchStage(ctx, layout, stage, settings, undefined, via);
  ctx.progress({
    type: 'stage-end',
    stage,
    ok: result.exitCode === 0,
    durationMs: result.durationMs,
  });
  return result;
}

/** Options of {@link runTasks}. */
export interface TaskSettings {
  readonly parallelism: number;
  readonly retries: number;
  /** False turns the cross-run task cache off. */
  readonly cache?: boolean;
}

/** Reports the calibration progress lines of task `index` as `calibration` events. */
function calibrationEvents(ctx: LocalContext, index: number): (line: string) => void {
  return (line) => {
    const progress = calibrationFromLogLine(line);
    if (progress !== undefined) ctx.progress({ type: 'calibration', index, progress });
  };
}

/**
 * Runs `body` with a session of the launcher open (`warm` slots started at
 * once, see `StageLauncher.openSession`), and closes it however it ends.
 */
export async function withSession<T>(
  ctx: LocalContext,
  warm: number,
  body: (session: StageSession) => Promise<T>,
): Promise<T> {
  const session = openSession(ctx.launcher, warm);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

/**
 * Stage B: the given tasks in parallel with retries, through `tasks` (a
 * session, see {@link withSession}); progress per task, and per calibration
 * generation of forecast tasks. Its wall time ends with the last task.
 */
export async function runTasks(
  ctx: LocalContext,
  layout: RunLayout,
  indexes: readonly number[],
  settings: TaskSettings,
  tasks: StageSession,
): Promise<{ readonly pool: PoolResult; readonly stats: RunnerStats }> {
  const total = indexes.length;
  const onEvent = (event: PoolEvent): void => {
    if (event.type === 'done') {
      const { outcome } = event;
      const phase = outcome.ok ? 'succeeded' : 'failed';
      ctx.progress({
        type: 'task',
        phase,
        total,
        index: outcome.index,
        attempt: outcome.attempts,
        exitCode: outcome.exitCode,
        durationMs: outcome.durationMs,
      });
    } else {
      ctx.progress({
        type: 'task',
        phase: event.type,
        index: event.index,
        attempt: event.attempt,
        total,
      });
    }
  };
  ctx.progress({ type: 'stage-start', stage: 'runner', numTasks: total });
  const started = performance.now();
  const pool = await runPool({
    indexes,
    parallelism: settings.parallelism,
    retries: settings.retries,
    run: (taskIndex, attempt) =>
      launchStage(
        ctx,
        layout,
        'runner',
        { taskIndex, attempt, ...(settings.cache === false ? { cache: false } : {}) },
        calibrationEvents(ctx, taskIndex),
        tasks,
      ),
    onEvent,
  });
  const wallMs = performance.now() - started;
  ctx.progress({
    type: 'stage-end',
    stage: 'runner',
    ok: pool.failed.length === 0,
    durationMs: wallMs,
  });
  const slots = Math.max(1, Math.min(settings.parallelism, total));
  const efficiency = wallMs > 0 ? pool.busyMs / (slots * wallMs) : 0;
  return {
    pool,
    stats: { tasksRun: total, busyMs: pool.busyMs, wallMs, parallelism: slots, efficiency },
  };
}
