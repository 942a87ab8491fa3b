import { type RunLayout } from '../contract/layout.js';
import { RUN_DIRS } from '../contract/run-dirs.js';
import type { Storage } from '../storage/index.js';

/** Written last in an output folder: a folder without it is an unfinished output (an interrupted Stage C). */
export const OUTPUT_INDEX = 'index.json';

/** A run's output folders by stamp, sorted: `finished` hold {@link OUTPUT_INDEX}, `unfinished` do not. */
export interface OutputFolders {
  readonly finished: readonly string[];
  readonly unfinished: readonly string[];
}

/** The output folders among keys relative to a run prefix (`outputs/<stamp>/...`). */
export function outputFolders(keysInRun: readonly string[]): OutputFolders {
  const stamps = new Map<string, boolean>();
  for (const key of keysInRun) {
    const [dir, stamp, ...rest] = key.split('/');
    if (dir !== RUN_DIRS.outputs || stamp === undefined || rest.length === 0) continue;
    stamps.set(stamp, stamps.get(stamp) === true || rest.join('/') === OUTPUT_INDEX);
  }
  const sorted = [...stamps].sort(([a], [b]) => a.localeCompare(b));
  return {
    finished: sorted.filter(([, done]) => done).map(([s]) => s),
    unfinished: sorted.filter(([, done]) => !done).map(([s]) => s),
  };
}

/** Whether a key relative to a run prefix lies in an output folder that is not finished. */
export function inUnfinishedOutput(keyInRun: string, folders: OutputFolders): boolean {
  const [dir, stamp] = keyInRun.split('/');
  return dir === RUN_DIRS.outputs && stamp !== undefined && folders.unfinished.includes(stamp);
}

/** The run's output folders, read from storage. */
export async function readOutputFolders(
  storage: Storage,
  layout: RunLayout,
): Promise<OutputFolders> {
  return outputFolders(
    (await storage.list(layout.outputsPrefix)).map((key) => key.slice(layout.prefix.length)),
  );
}

/**
 * Removes the run's unfinished output folders (left by an interrupted Stage C)
 * and returns their prefixes. Stage C calls it first; the run's lock (local) or
 * its single execution (cloud) keeps it from racing another Stage C of the run.
 */
export async function removeUnfinishedOutputs(
  storage: Storage,
  layout: RunLayout,
): Promise<string[]> {
  const { unfinished } = await readOutputFolders(storage, layout);
  const removed = unfinished.map((stamp) => layout.outputDir(stamp));
  for (const dir of removed) for (const key of await storage.list(dir)) await storage.delete(key);
  return removed;
}

/** The newest finished `outputs/<stamp>/` prefix of the run (one with its `index.json`), if Stage C wrote one. */
export async function latestOutputDir(
  storage: Storage,
  layout: RunLayout,
): Promise<string | undefined> {
  const newest = (await readOutputFolders(storage, layout)).finished.at(-1);
  return newest === undefined ? undefined : layout.outputDir(newest);
}
