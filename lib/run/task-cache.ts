import { z } from 'zod';
import { taskCacheKey, type RunLayout } from '../contract/layout.js';
import { sha256Schema } from '../contract/manifest.js';
import { NotFoundError, StorageError } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { sha256 } from './checksum.js';

/** Version of the cache key's recipe: a change of it (or of what a result holds) starts a new cache. */
const CACHE_KEY_RECIPE = 'epycloud-task-cache/1';

/**
 * The cross-run identity of a task: what its result depends on and nothing
 * else. The task input's text with its run and experiment ids blanked (they
 * name where the task runs, not what it computes; its index stays, since the
 * seed depends on it), and the sha256 of the stage code that computes it.
 * Task inputs are self-contained (model, parameters, data), so the data files
 * a task reads are part of its input.
 */
export function taskCacheHash(inputText: string, codeSha256: string): string {
  const input = JSON.parse(inputText) as Record<string, unknown>;
  const neutral = JSON.stringify({ ...input, expId: '', runId: '' });
  return sha256(`${CACHE_KEY_RECIPE}\n${codeSha256}\n${sha256(neutral)}`);
}

/** One cache entry: where a result of this task hash was computed, and the checksum of its bytes. */
export const cacheEntrySchema = z.object({
  version: z.literal(1),
  expId: z.string(),
  runId: z.string(),
  taskIndex: z.number().int().nonnegative(),
  /** The result's key (in the same bucket) and the sha256 and size of its bytes. */
  result: z.object({
    key: z.string(),
    sha256: sha256Schema,
    bytes: z.number().int().nonnegative(),
  }),
  codeSha256: sha256Schema,
  createdAt: z.string(),
});

/** A parsed cache entry. */
export type CacheEntry = z.infer<typeof cacheEntrySchema>;

/** The stage code's identity and whether this run uses the cache (`--no-cache`: not). */
export interface TaskCacheConfig {
  readonly enabled: boolean;
  /** sha256 of the stage bundle that runs; without one (stages run from source) the cache is off. */
  readonly codeSha256?: string | undefined;
}

/** Whether a run with this configuration reads and writes the cache. */
export const cacheActive = (
  config: TaskCacheConfig | undefined,
): config is TaskCacheConfig & { codeSha256: string } =>
  config?.enabled === true && config.codeSha256 !== undefined;

/**
 * The entry of a task hash; undefined when there is none or it cannot be read
 * (the cache only saves work: a storage failure here costs a recomputation,
 * never a run). An entry is never trusted blindly: see {@link readCachedResult}.
 */
export async function readCacheEntry(
  storage: Storage,
  layout: RunLayout,
  hash: string,
): Promise<CacheEntry | undefined> {
  try {
    return cacheEntrySchema.safeParse(await storage.getJson(taskCacheKey(hash, layout.dirPrefix)))
      .data;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof StorageError) return undefined;
    throw error;
  }
}

/** The bytes an entry points to, when they still exist and match its checksum; undefined otherwise (expired, replaced, edited). */
export async function readCachedResult(
  storage: Storage,
  entry: CacheEntry,
): Promise<Uint8Array | undefined> {
  try {
    const bytes = await storage.get(entry.result.key);
    return sha256(bytes) === entry.result.sha256 ? bytes : undefined;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Records that `result` (just written and checksummed by Stage B) is the result of `hash`; written whole. */
export async function writeCacheEntry(
  storage: Storage,
  layout: RunLayout,
  hash: string,
  entry: Omit<CacheEntry, 'version'>,
): Promise<void> {
  const value: CacheEntry = { version: 1, ...entry };
  await storage.putJson(taskCacheKey(hash, layout.dirPrefix), value);
}

/** The part of Stage A's summary (`summaries/builder.json`) that says what it took from the cache. */
const builderCacheSchema = z.object({
  numTasks: z.number().int().nonnegative(),
  cache: z.object({ enabled: z.boolean(), hits: z.number().int().nonnegative() }),
});

/**
 * How many of the run's results Stage A took from the cache; undefined when
 * it did not look (cache off, stages from source, an older Stage A) or its
 * summary cannot be read.
 */
export async function readCacheReport(
  storage: Storage,
  layout: RunLayout,
): Promise<{ hits: number; numTasks: number } | undefined> {
  const summary = await storage
    .getJson(layout.summary('builder'))
    .then((json) => builderCacheSchema.safeParse(json).data)
    .catch(() => undefined);
  if (summary === undefined || !summary.cache.enabled) return undefined;
  return { hits: summary.cache.hits, numTasks: summary.numTasks };
}
