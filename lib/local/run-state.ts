import { join } from 'node:path';
import { RUN_DIRS, type RunLayout } from '../contract/layout.js';
import { manifestSchema, type Manifest } from '../contract/manifest.js';
import { StageError } from '../errors.js';
import type { Storage } from '../storage/index.js';

/** Whether anything of the run exists under its prefix. */
export async function runExists(storage: Storage, layout: RunLayout): Promise<boolean> {
  return (await storage.list(layout.prefix)).length > 0;
}

/** Whether Stage A finished (its manifest exists). */
export async function hasManifest(storage: Storage, layout: RunLayout): Promise<boolean> {
  return storage.exists(layout.manifest);
}

/** Reads and validates the builder's manifest; a bad one is a `StageError` naming the key. */
export async function readManifest(storage: Storage, layout: RunLayout): Promise<Manifest> {
  const parsed = manifestSchema.safeParse(await storage.getJson(layout.manifest));
  if (!parsed.success) {
    throw new StageError(`Invalid manifest ${layout.manifest} (in ${storage.location}): ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
  }
  return parsed.data;
}

/** Indexes `0..numTasks-1` whose result is not stored yet. */
export async function missingResults(storage: Storage, layout: RunLayout, numTasks: number): Promise<number[]> {
  const present = new Set(await storage.list(layout.resultsPrefix));
  return Array.from({ length: numTasks }, (_, i) => i).filter((i) => !present.has(layout.result(i)));
}

/** The newest `outputs/<stamp>/` prefix of the run, if Stage C wrote one. */
export async function latestOutputDir(storage: Storage, layout: RunLayout): Promise<string | undefined> {
  const stamps = new Set((await storage.list(layout.outputsPrefix)).map((key) => key.slice(layout.outputsPrefix.length).split('/')[0]));
  const newest = [...stamps]
    .filter((s): s is string => s !== undefined && s !== '')
    .sort()
    .pop();
  return newest === undefined ? undefined : layout.outputDir(newest);
}

/** Removes every key of the run (used by an explicit rerun into an existing run id). */
export async function clearRun(storage: Storage, layout: RunLayout): Promise<void> {
  for (const key of await storage.list(layout.prefix)) await storage.delete(key);
}

/** The prefix of a run's kept logs, `<run>/logs/`. */
export function logsPrefix(layout: RunLayout): string {
  return `${layout.prefix}${RUN_DIRS.logs}/`;
}

/** The on-disk path of a key of the local bucket. */
export function bucketPath(bucketDir: string, key: string): string {
  return join(bucketDir, ...key.split('/'));
}

/** The first folder of the run layout a key belongs to, e.g. `runner-artifacts`. */
export function runDirOf(keyInRun: string): string | undefined {
  const first = keyInRun.split('/')[0];
  return Object.values(RUN_DIRS).find((dir) => dir === first);
}
