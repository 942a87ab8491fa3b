import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowOptions } from '../backend/types.js';
import { newRunId, validateExpId } from '../contract/ids.js';
import { RunLayout } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import type { LoadOptions } from '../experiment/experiment.js';
import type { ExperimentPlan } from '../experiment/plan.js';
import { readStageImage } from '../experiment/stage-image.js';
import type { LocalPaths } from '../host/paths.js';
import { readVerifiedSnapshot } from '../run/experiment-snapshot.js';
import { hasManifest, readManifest } from '../run/manifest.js';
import { bucketPath, clearRun, runExists } from './run-state.js';
import { launcherFor, type LocalContext } from './stages.js';
import type { StageLauncher } from './types.js';

/** The folder of an experiment id; throws naming where experiments live when it has no `config/`. */
export async function experimentDir(paths: LocalPaths, expId: string): Promise<string> {
  const dir = join(paths.experimentsDir, ...validateExpId(expId).split('/'));
  const isDir = await stat(join(dir, 'config')).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new ValidationError(
      `Experiment "${expId}" not found: expected its configs in ${join(dir, 'config')}/ ` +
        `(experiments live in ${paths.experimentsDir}; list them with: epycloud experiment list --local)`,
    );
  }
  return dir;
}

/** The run's experiment overrides: what validation and Stage A see (`OUTPUT_CONFIG_FILE`, `REFERENCE_DATE`). */
export function experimentOverrides(
  options: Pick<WorkflowOptions, 'outputConfigFile' | 'referenceDate'>,
): LoadOptions {
  return { outputConfigFile: options.outputConfigFile, referenceDate: options.referenceDate };
}

/** A run ready to start: its layout, what validation or the run said of it, its launcher. */
export interface Prepared {
  readonly layout: RunLayout;
  readonly plannedTasks: number | undefined;
  readonly resumed: boolean;
  readonly plan?: ExperimentPlan | undefined;
  /** Starts the run's stages: the built-in engine's launcher, or its experiment's own image's. */
  readonly launcher: StageLauncher;
  /** The experiment's own stage image, when its `stages:` config names one. */
  readonly image?: string | undefined;
}

/** Takes the run's lock (held until the workflow ends). */
export type LockRun = (layout: RunLayout) => Promise<void>;

async function prepareResume(
  ctx: LocalContext,
  options: WorkflowOptions,
  runId: string,
  lock: LockRun,
): Promise<Prepared> {
  if (options.runId !== undefined && options.runId !== runId) {
    throw new ValidationError(
      `--run-id ${options.runId} and --resume ${runId} disagree: --resume keeps the run id, give only --resume`,
    );
  }
  const layout = new RunLayout(options.expId, runId);
  if (!options.dryRun) await lock(layout);
  if (!(await runExists(ctx.storage, layout))) {
    throw new ValidationError(
      `Cannot resume run ${runId} of ${options.expId}: nothing under ${bucketPath(ctx.paths.bucketDir, layout.prefix)}`,
    );
  }
  // The run's own snapshot says what its stages run in, whatever the folder holds now.
  const declared = readStageImage(await readVerifiedSnapshot(ctx.storage, layout));
  const launcher = launcherFor(ctx, declared);
  await launcher.ready?.();
  const plannedTasks = (await hasManifest(ctx.storage, layout))
    ? (await readManifest(ctx.storage, layout)).numTasks
    : undefined;
  return { layout, plannedTasks, resumed: true, launcher, image: declared?.image };
}

async function prepareNew(
  ctx: LocalContext,
  options: WorkflowOptions,
  lock: LockRun,
): Promise<Prepared> {
  const dir = await experimentDir(ctx.paths, options.expId);
  const { numTasks, plan, stageImage } = await ctx.experiments.validate(
    dir,
    experimentOverrides(options),
  );
  const launcher = launcherFor(ctx, stageImage);
  const layout = new RunLayout(
    options.expId,
    options.runId ?? newRunId((ctx.now ?? (() => new Date()))()),
  );
  if (!options.dryRun) await launcher.ready?.();
  if (!options.dryRun) await lock(layout);
  if (await runExists(ctx.storage, layout)) {
    if (!options.yes) {
      throw new ValidationError(
        `Run ${layout.runId} of ${options.expId} already exists (${bucketPath(ctx.paths.bucketDir, layout.prefix)}): ` +
          `finish it with --resume ${layout.runId}, or replace it with --yes`,
      );
    }
    if (!options.dryRun) await clearRun(ctx.storage, layout);
  }
  if (!options.dryRun) await ctx.experiments.snapshot(dir, ctx.storage, layout);
  return {
    layout,
    plannedTasks: numTasks,
    resumed: false,
    plan,
    launcher,
    image: stageImage?.image,
  };
}

/**
 * Prepares a run before its first stage: a new one (validate the folder,
 * choose the launcher for what it runs in, check it can start, lock, clear
 * with `--yes`, snapshot) or a resumed one (lock, read its snapshot, choose
 * the launcher for what the snapshot runs in). A dry run writes nothing.
 */
export function prepareRun(
  ctx: LocalContext,
  options: WorkflowOptions,
  lock: LockRun,
): Promise<Prepared> {
  return options.resume !== undefined
    ? prepareResume(ctx, options, options.resume, lock)
    : prepareNew(ctx, options, lock);
}
