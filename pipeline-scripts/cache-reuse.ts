import type { RunLayout } from '../lib/contract/layout.js';
import type { ManifestEntry } from '../lib/contract/manifest.js';
import type { Logger } from '../lib/log.js';
import { checkResult, writeResult } from '../lib/run/result-check.js';
import {
  cacheActive,
  readCachedResult,
  readCacheEntry,
  taskCacheHash,
  type CacheEntry,
  type TaskCacheConfig,
} from '../lib/run/task-cache.js';
import type { Storage } from '../lib/storage/index.js';
import { mapLimit } from './artifacts.js';
import { decodeResult, encodeResult } from './result-arrow.js';

/** What Stage A found in the cross-run cache (part of `summaries/builder.json`). */
export interface CacheReport {
  readonly enabled: boolean;
  /** Tasks whose result was taken from an earlier run. */
  readonly hits: number;
  /** Tasks looked up (those without a good result in this run already). */
  readonly lookedUp: number;
}

/** Where a reused result came from, in its task summary. */
export interface CachedFrom {
  readonly expId: string;
  readonly runId: string;
  readonly taskIndex: number;
}

/** Inputs of {@link reuseCachedResults}. */
export interface CacheReuseInput {
  readonly layout: RunLayout;
  readonly cache?: TaskCacheConfig | undefined;
  readonly now: () => Date;
  /** The task inputs' JSON texts, by index. */
  readonly bodies: readonly string[];
  readonly inputs: readonly ManifestEntry[];
}

/**
 * Stage A, after the manifest: gives each task whose identity
 * ({@link taskCacheHash}) an earlier run already computed that run's result,
 * re-stamped with this run's input hash, and a runner summary that says where
 * it came from, so Stage B (local pool, PlanStageB) runs only the others. A
 * stale entry (result gone or changed) is passed by; nothing is trusted
 * without its checksum.
 */
export async function reuseCachedResults(
  input: CacheReuseInput,
  storage: Storage,
  log: Logger,
): Promise<CacheReport> {
  const { cache } = input;
  if (!cacheActive(cache)) return { enabled: false, hits: 0, lookedUp: 0 };
  const outcomes = await mapLimit(input.inputs, 16, async (entry, i) => {
    const own = await checkResult(storage, input.layout, i, entry.sha256);
    if (own.ok) return 'own' as const;
    const hash = taskCacheHash(input.bodies[i]!, cache.codeSha256);
    const found = await readCacheEntry(storage, input.layout, hash);
    if (found === undefined) return 'miss' as const;
    const reused = await reuse(input, storage, entry, found);
    if (!reused)
      log.info('cache entry passed by: its result is gone or changed', {
        task_index: i,
        from: found.result.key,
      });
    return reused ? ('hit' as const) : ('miss' as const);
  });
  const hits = outcomes.filter((o) => o === 'hit').length;
  const lookedUp = outcomes.filter((o) => o !== 'own').length;
  log.info('task cache looked up', { hits, looked_up: lookedUp });
  return { enabled: true, hits, lookedUp };
}

/** Copies one cached result into this run; false when its bytes are gone or do not match the entry. */
async function reuse(
  input: CacheReuseInput,
  storage: Storage,
  entry: ManifestEntry,
  found: CacheEntry,
): Promise<boolean> {
  const startedAt = input.now().toISOString();
  const bytes = await readCachedResult(storage, found);
  if (bytes === undefined) return false;
  const result = { ...decodeResult(bytes), inputSha256: entry.sha256 };
  const checksum = await writeResult(
    storage,
    input.layout,
    entry.index,
    entry.sha256,
    encodeResult(result),
  );
  const cachedFrom: CachedFrom = {
    expId: found.expId,
    runId: found.runId,
    taskIndex: found.taskIndex,
  };
  await storage.putJson(input.layout.summary('runner', entry.index), {
    stage: 'runner',
    taskIndex: entry.index,
    skipped: true,
    cachedFrom,
    result: checksum,
    nSims: result.nSims,
    timingsMs: { simulate: 0, total: 0 },
    startedAt,
    finishedAt: input.now().toISOString(),
    attempt: 1,
  });
  return true;
}
