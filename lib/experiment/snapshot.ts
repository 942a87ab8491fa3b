import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { RunLayout } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { buildTaskInputs } from './expand.js';
import { loadExperiment, type Experiment, type ExperimentFiles, type LoadOptions } from './load.js';

/** Files that belong to an experiment snapshot: `config/*.yaml|yml` and every `*.csv` in the folder. */
function isExperimentFile(rel: string): boolean {
  if (rel.split('/').some((part) => part.startsWith('.') || part === 'node_modules')) return false;
  return /^config\/[^/]+\.ya?ml$/.test(rel) || rel.endsWith('.csv');
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
  if (!info?.isDirectory()) throw new ValidationError(`Experiment folder not found: ${localDir} (expected a directory with config/*.yaml)`);
  const rels: string[] = [];
  await walk(localDir, localDir, rels);
  const files = new Map<string, string>();
  for (const rel of rels.filter(isExperimentFile).sort()) files.set(rel, await readFile(join(localDir, rel), 'utf8'));
  return files;
}

/** What validation learned about an experiment. */
export interface ExperimentCheck {
  readonly numTasks: number;
  readonly experiment: Experiment;
  /** The files a snapshot would upload. */
  readonly files: readonly string[];
}

/**
 * Loads and validates an experiment folder (with the run's overrides: output
 * config, reference date) and builds its task inputs in
 * memory, WITHOUT writing anything: call it before any upload. Throws a
 * ConfigError listing every problem.
 */
export async function validateExperimentDir(localDir: string, overrides: LoadOptions = {}): Promise<ExperimentCheck> {
  const files = await readExperimentDir(localDir);
  const experiment = loadExperiment(files, overrides);
  const numTasks = buildTaskInputs(experiment, { expId: 'validation', runId: 'validation' }).length;
  return { numTasks, experiment, files: [...files.keys()] };
}

/** Copies an experiment folder's files to the run's `experiment/` prefix; returns the keys written. */
export async function snapshotExperiment(localDir: string, storage: Storage, layout: RunLayout): Promise<string[]> {
  const files = await readExperimentDir(localDir);
  const keys: string[] = [];
  for (const [rel, text] of files) {
    const key = layout.experimentFile(rel);
    await storage.put(key, text);
    keys.push(key);
  }
  return keys;
}

/** Reads the run's experiment snapshot back from storage (what Stage A and Stage C use). */
export async function readSnapshot(storage: Storage, layout: RunLayout): Promise<ExperimentFiles> {
  const prefix = layout.experimentPrefixKey;
  const files = new Map<string, string>();
  for (const key of await storage.list(prefix)) files.set(key.slice(prefix.length), await storage.getText(key));
  return files;
}
