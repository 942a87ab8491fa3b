import { join } from 'node:path';
import { RUN_DIRS, type RunLayout } from '../contract/layout.js';
import { manifestSchema, type Manifest } from '../contract/manifest.js';
import { StageError } from '../errors.js';
import { readOutputFolders } from '../run/output-folders.js';
import type { Storage } from '../storage/index.js';

/** Whether anything of the run (other than its lock) exists under its prefix. */
export async function runExists(storage: Storage, layout: RunLayout): Promise<boolean> {
  return (await storage.list(layout.prefix)).some((key) => key !== layout.lock);
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

/** The newest finished `outputs/<stamp>/` prefix of the run (one with its `index.json`), if Stage C wrote one. */
export async function latestOutputDir(storage: Storage, layout: RunLayout): Promise<string | undefined> {
  const newest = (await readOutputFolders(storage, layout)).finished.at(-1);
  return newest === undefined ? undefined : layout.outputDir(newest);
}

/** Removes every key of the run but its lock (used by an explicit rerun into an existing run id). */
export async function clearRun(storage: Storage, layout: RunLayout): Promise<void> {
  for (const key of await storage.list(layout.prefix)) if (key !== layout.lock) await storage.delete(key);
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
