import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { RunLayout } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import { readVerifiedSnapshot, writeSnapshot } from '../run/experiment-snapshot.js';
import type { Storage } from '../storage/index.js';
import { taskInputs } from './expand.js';
import { loadExperiment } from './load.js';
import { type Experiment, type ExperimentFiles, type LoadOptions } from './experiment.js';
import type { ExperimentPlan } from './plan.js';
import type { StageImage } from '../contract/stage-image.js';
import { readStageImage } from './stage-image.js';

/** Files that belong to an experiment snapshot: `config/*.yaml|yml|json` and every `*.csv` in the folder (docs/CONTRACT.md). */
function isExperimentFile(rel: string): boolean {
  if (rel.split('/').some((part) => part.startsWith('.') || part === 'node_modules')) return false;
  return /^config\/[^/]+\.(ya?ml|json)$/.test(rel) || rel.endsWith('.csv');
}

async function walk(dir: string, root: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(full, root, out);
    else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
  }
}

/** Reads the experiment files of a local folder (`local/forecast/experiments/<exp_id>/`). */
export async function readExperimentDir(localDir: string): Promise<Map<string, string>> {
  const info = await stat(localDir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new ValidationError(
      `Experiment folder not found: ${localDir} (expected a directory with config/*.yaml)`,
    );
  const rels: string[] = [];
  await walk(localDir, localDir, rels);
  const files = new Map<string, string>();
  for (const rel of rels.filter(isExperimentFile).sort())
    files.set(rel, await readFile(join(localDir, rel), 'utf8'));
  return files;
}

/** What validation learned about an experiment of the built-in engine. */
export interface ExperimentCheck {
  readonly numTasks: number;
  /** What a run would cost: tasks, steps, result bytes. */
  readonly plan: ExperimentPlan;
  readonly experiment: Experiment;
  /** The files a snapshot would upload. */
  readonly files: readonly string[];
  readonly stageImage?: undefined;
}

/** What validation learned about an experiment run by its own image: only its `stages:` config is epycloud's to check; N is what the image's Stage A decides. */
export interface ForeignExperimentCheck {
  readonly numTasks: undefined;
  readonly plan?: undefined;
  readonly stageImage: StageImage;
  readonly files: readonly string[];
}

/**
 * Loads and validates an experiment folder (with the run's overrides: output
 * config, reference date), checks its plan against the bounds, and builds its
 * task inputs one at a time, WITHOUT writing anything: call it before any
 * upload. Throws a ConfigError listing every problem. An experiment naming
 * its own stage image (a `stages:` config) is the image's to check: only that
 * config is validated.
 */
export async function validateExperimentDir(
  localDir: string,
  overrides: LoadOptions = {},
): Promise<ExperimentCheck | ForeignExperimentCheck> {
  const files = await readExperimentDir(localDir);
  const stageImage = readStageImage(files);
  if (stageImage !== undefined)
    return { numTasks: undefined, stageImage, files: [...files.keys()] };
  const experiment = loadExperiment(files, overrides);
  // Builds (and so checks) each task input in turn, keeping none: memory stays flat in N.
  for (const task of taskInputs(experiment, { expId: 'validation', runId: 'validation' }))
    void task;
  return {
    numTasks: experiment.plan.tasks,
    plan: experiment.plan,
    experiment,
    files: [...files.keys()],
  };
}

/**
 * Copies an experiment folder's files to the run's `experiment/` prefix, then
 * its snapshot manifest last (local runs, cloud uploads and rehearsals alike);
 * returns the keys of the files written.
 */
export async function snapshotExperiment(
  localDir: string,
  storage: Storage,
  layout: RunLayout,
): Promise<string[]> {
  return writeSnapshot(storage, layout, await readExperimentDir(localDir));
}

/**
 * Reads the run's experiment snapshot back from storage (what Stage A and
 * Stage C use); a StageError when it has no manifest or differs from it.
 */
export async function readSnapshot(storage: Storage, layout: RunLayout): Promise<ExperimentFiles> {
  return readVerifiedSnapshot(storage, layout);
}
