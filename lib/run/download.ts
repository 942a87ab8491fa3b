import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { validateRunId } from '../contract/ids.js';
import { parseRunKey, RunLayout, runsPrefix } from '../contract/layout.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { inUnfinishedOutput, OUTPUT_INDEX, outputFolders } from './output-folders.js';
import type { Storage } from '../storage/index.js';

/** `*` (within a folder), `**` (across folders) and `?` as a regular expression over a whole relative path. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*' && glob[i + 1] === '*') {
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The run ids of an experiment found in storage, sorted (generated ids sort by start time). */
export async function listRunIds(
  storage: Storage,
  expId: string,
  dirPrefix = '',
): Promise<string[]> {
  const ids = new Set<string>();
  for (const key of await storage.list(runsPrefix(expId, dirPrefix))) {
    const parsed = parseRunKey(key, dirPrefix);
    if (parsed?.expId === expId) ids.add(parsed.runId);
  }
  return [...ids].sort();
}

/** What `download` fetches. */
export interface DownloadRequest {
  readonly expId: string;
  readonly runId?: string | undefined;
  readonly files?: string | undefined;
  readonly outDir: string;
  readonly dirPrefix?: string | undefined;
}

/** What `download` wrote. */
export interface DownloadResult {
  readonly runId: string;
  readonly files: readonly string[];
}

/**
 * Copies a run's files (those matching the glob, relative to the run prefix;
 * default: every output) to `outDir/<runId>/`, byte for byte (gzipped files
 * stay gzipped). Each file appears whole or not at all.
 */
export async function downloadRun(
  storage: Storage,
  request: DownloadRequest,
): Promise<DownloadResult> {
  const runId =
    request.runId ?? (await listRunIds(storage, request.expId, request.dirPrefix)).at(-1);
  if (runId === undefined)
    throw new NotFoundError(`runs of experiment ${request.expId}`, storage.location);
  const layout = new RunLayout(request.expId, validateRunId(runId), request.dirPrefix ?? '');
  const pattern = globToRegExp(request.files ?? 'outputs/**');
  const inRun = (await storage.list(layout.prefix)).map((k) => k.slice(layout.prefix.length));
  const folders = outputFolders(inRun);
  const keys = inRun
    .filter((k) => pattern.test(k) && !inUnfinishedOutput(k, folders))
    .map((k) => `${layout.prefix}${k}`);
  if (keys.length === 0)
    throw new ValidationError(
      `No file of run ${runId} matches "${request.files ?? 'outputs/**'}" (under ${storage.location}/${layout.prefix})` +
        (folders.unfinished.length > 0
          ? `; unfinished output folders (no ${OUTPUT_INDEX}) are never downloaded: ${folders.unfinished.join(', ')}`
          : ''),
    );
  const root = resolve(request.outDir, runId);
  const written: string[] = [];
  for (const key of keys) {
    const target = resolve(join(root, key.slice(layout.prefix.length)));
    if (!target.startsWith(root + sep))
      throw new ValidationError(`Refusing to write ${key} outside ${root}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(`${target}.partial`, await storage.driver.get(key));
    await rename(`${target}.partial`, target);
    written.push(target);
  }
  return { runId, files: written };
}
