import { gunzipSync } from 'node:zlib';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Violation } from './rules.js';

/** Every file under `root`, relative paths, temp files of atomic writers included. */
async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

/** Why bytes read under this name cannot be a whole file, or undefined when they may be. */
function partialProblem(path: string, bytes: Buffer): string | undefined {
  try {
    const body = path.endsWith('.gz') ? gunzipSync(bytes) : bytes;
    if (path.endsWith('.json') || path.endsWith('.json.gz')) JSON.parse(body.toString('utf8'));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A temporary file of an atomic writer: its name starts with a dot (docs/CONTRACT.md; the local driver's `.<random>.tmp-<pid>`). */
const isTemp = (path: string): boolean => /(^|\/)\.[^/]+$/.test(path);

/**
 * Reads every file of the local bucket `root` over and over while a stage
 * runs, as a later stage or another reader would: a JSON file that does not
 * parse, or a gzip file that does not decompress, was seen half-written. Call
 * `stop()` when the stage has ended; it resolves to the violations seen.
 */
export function watchForPartialWrites(
  root: string,
  intervalMs = 5,
): { stop(): Promise<Violation[]> } {
  const seen = new Map<string, string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const path of await files(root)) {
        if (isTemp(path) || seen.has(path)) continue;
        const bytes = await readFile(join(root, path)).catch(() => undefined);
        const problem = bytes === undefined ? undefined : partialProblem(path, bytes);
        if (problem !== undefined) seen.set(path, problem);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...seen].map(([path, problem]) => ({
        rule: 'atomic writes',
        detail: `a reader saw ${path} half-written (${problem}): write a temporary file and rename it, or one PUT`,
      }));
    },
  };
}
