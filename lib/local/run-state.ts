import { join } from 'node:path';
import { type RunLayout } from '../contract/layout.js';
import { RUN_DIRS } from '../contract/run-dirs.js';
import type { Storage } from '../storage/index.js';

/** Whether anything of the run (other than its lock) exists under its prefix. */
export async function runExists(storage: Storage, layout: RunLayout): Promise<boolean> {
  return (await storage.list(layout.prefix)).some((key) => key !== layout.lock);
}

/** Removes every key of the run but its lock (used by an explicit rerun into an existing run id). */
export async function clearRun(storage: Storage, layout: RunLayout): Promise<void> {
  for (const key of await storage.list(layout.prefix))
    if (key !== layout.lock) await storage.delete(key);
}

/** The prefix of a run's kept logs, `<run>/logs/`. */
export function logsPrefix(layout: RunLayout): string {
  return `${layout.prefix}${RUN_DIRS.logs}/`;
}

/** The on-disk path of a key of the local bucket. */
export function bucketPath(bucketDir: string, key: string): string {
  return join(bucketDir, ...key.split('/'));
}
