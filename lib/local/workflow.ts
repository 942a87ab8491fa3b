import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { newRunId, validateExpId } from '../contract/ids.js';
import { RunLayout, type StageName } from '../contract/layout.js';
import type { WorkflowOptions, WorkflowResult } from '../backend/types.js';
import { ValidationError } from '../errors.js';
import type { LoadOptions } from '../experiment/load.js';
import { bucketPath, clearRun, hasManifest, latestOutputDir, logsPrefix, missingResults, readManifest, runExists } from './run-state.js';
import { runStage, runTasks, type LocalContext } from './stages.js';
import type { LocalPaths } from './types.js';

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
export function experimentOverrides(options: Pick<WorkflowOptions, 'outputConfigFile' | 'referenceDate'>): LoadOptions {
  return { outputConfigFile: options.outputConfigFile, referenceDate: options.referenceDate };
}

interface Prepared {
  readonly layout: RunLayout;
  readonly plannedTasks: number | undefined;
  readonly resumed: boolean;
}

async function prepareResume(ctx: LocalContext, options: WorkflowOptions, runId: string): Promise<Prepared> {
  if (options.runId !== undefined && options.runId !== runId) {
    throw new ValidationError(`--run-id ${options.runId} and --resume ${runId} disagree: --resume keeps the run id, give only --resume`);
  }
  const layout = new RunLayout(options.expId, runId);
  await ctx.launcher.ready?.();
  if (!(await runExists(ctx.storage, layout))) {
    throw new ValidationError(
      `Cannot resume run ${runId} of ${options.expId}: nothing under ${bucketPath(ctx.paths.bucketDir, layout.prefix)}`,
    );
  }
  const plannedTasks = (await hasManifest(ctx.storage, layout)) ? (await readManifest(ctx.storage, layout)).numTasks : undefined;
  return { layout, plannedTasks, resumed: true };
}

async function prepareNew(ctx: LocalContext, options: WorkflowOptions): Promise<Prepared> {
  const dir = await experimentDir(ctx.paths, options.expId);
  const { numTasks } = await ctx.experiments.validate(dir, experimentOverrides(options));
  const layout = new RunLayout(options.expId, options.runId ?? newRunId((ctx.now ?? (() => new Date()))()));
  if (!options.dryRun) await ctx.launcher.ready?.();
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
  return { layout, plannedTasks: numTasks, resumed: false };
}

type Draft = { -readonly [K in keyof WorkflowResult]: WorkflowResult[K] };

function logsHint(layout: RunLayout, stage: StageName, index?: number): string {
  const task = index === undefined ? '' : ` --task-index ${index}`;
  return `epycloud logs --local --exp-id ${layout.expId} --run-id ${layout.runId} --stage ${stage}${task}`;
}

function stageFailed(draft: Draft, layout: RunLayout, stage: StageName, exitCode: number): WorkflowResult {
  return { ...draft, status: 'failed', failure: `Stage ${stage} failed (exit code ${exitCode}); see: ${logsHint(layout, stage)}` };
}

function tasksFailed(draft: Draft, layout: RunLayout, failed: readonly number[], attempts: number): WorkflowResult {
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
 */
export async function runLocalWorkflow(ctx: LocalContext, options: WorkflowOptions): Promise<WorkflowResult> {
  const started = performance.now();
  const prepared = options.resume !== undefined ? await prepareResume(ctx, options, options.resume) : await prepareNew(ctx, options);
  const { layout } = prepared;
  const draft: Draft = {
    status: 'planned',
    backend: 'local',
    runtime: ctx.launcher.runtime,
    expId: layout.expId,
    runId: layout.runId,
    numTasks: prepared.plannedTasks ?? 0,
    durationsMs: {},
    totalMs: 0,
    failedTasks: [],
    retriedTasks: [],
    logs: bucketPath(ctx.paths.bucketDir, logsPrefix(layout)),
  };
  if (options.dryRun) return draft;
  const result = await execute(ctx, options, prepared, draft);
  return { ...result, totalMs: performance.now() - started };
}

async function execute(ctx: LocalContext, options: WorkflowOptions, prepared: Prepared, draft: Draft): Promise<WorkflowResult> {
  const { layout } = prepared;
  if (prepared.resumed && (await hasManifest(ctx.storage, layout))) {
    ctx.progress({ type: 'note', message: `Resuming ${layout.runId}: Stage builder already done` });
  } else {
    const a = await runStage(ctx, layout, 'builder', experimentOverrides(options));
    draft.durationsMs = { ...draft.durationsMs, builder: a.durationMs };
    if (a.exitCode !== 0) return stageFailed(draft, layout, 'builder', a.exitCode);
  }
  draft.numTasks = (await readManifest(ctx.storage, layout)).numTasks;
  const indexes = await missingResults(ctx.storage, layout, draft.numTasks);
  if (prepared.resumed && indexes.length < draft.numTasks) {
    ctx.progress({
      type: 'note',
      message: `Resuming ${layout.runId}: ${draft.numTasks - indexes.length} of ${draft.numTasks} results kept`,
    });
  }
  const b = await runTasks(ctx, layout, indexes, options);
  draft.durationsMs = { ...draft.durationsMs, runner: b.stats.wallMs };
  draft.runner = b.stats;
  draft.retriedTasks = b.pool.outcomes.filter((o) => o.attempts > 1).map((o) => o.index);
  if (b.pool.failed.length > 0) return tasksFailed(draft, layout, b.pool.failed, options.retries + 1);
  if (options.skipOutput) return { ...draft, status: 'succeeded' };
  const c = await runStage(ctx, layout, 'output', { numTasks: draft.numTasks, outputConfigFile: options.outputConfigFile });
  draft.durationsMs = { ...draft.durationsMs, output: c.durationMs };
  if (c.exitCode !== 0) return stageFailed(draft, layout, 'output', c.exitCode);
  const outputs = await latestOutputDir(ctx.storage, layout);
  return { ...draft, status: 'succeeded', outputs: outputs === undefined ? undefined : bucketPath(ctx.paths.bucketDir, outputs) };
}
