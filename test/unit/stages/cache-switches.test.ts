import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { LocalDriver, Storage } from '../../../lib/storage/index.js';
import { runStage } from '../../../pipeline-scripts/stage-main.js';
import { EXPERIMENT } from './helpers.js';

const CODE = 'c'.repeat(64);
let root = '';
afterEach(() => rm(root, { recursive: true, force: true }));

/** Stage A and the three Stage B tasks of a run, through the entrypoint, with `extra` in the environment. */
async function run(runId: string, extra: Record<string, string>, codeSha256?: string) {
  const storage = new Storage(new LocalDriver(root));
  await writeSnapshot(
    storage,
    new RunLayout('tests/tiny', runId),
    new Map(Object.entries(EXPERIMENT)),
  );
  const env = {
    EXECUTION_MODE: 'local',
    LOCAL_BUCKET_DIR: root,
    EXP_ID: 'tests/tiny',
    RUN_ID: runId,
    ...extra,
  };
  const deps = { write: () => {}, ...(codeSha256 ? { codeSha256 } : {}) };
  expect(await runStage(['builder'], env, deps)).toBe(0);
  for (let i = 0; i < 3; i++) await runStage(['runner'], { ...env, TASK_INDEX: String(i) }, deps);
  const cacheKeys = (await storage.list('')).filter((k) => k.startsWith('epycloud-cache/'));
  const builder = await storage.getJson<{ cache: unknown }>(
    new RunLayout('tests/tiny', runId).summary('builder'),
  );
  return { cacheKeys, cache: builder.cache };
}

describe('the stage entrypoint and the task cache', () => {
  it('uses the cache with the bundle identity, and not with EPYCLOUD_CACHE=off, fault injection or no identity', async () => {
    root = await mkdtemp(join(tmpdir(), 'epycloud-cache-'));
    expect((await run('off', { EPYCLOUD_CACHE: 'off' }, CODE)).cacheKeys).toEqual([]);
    const faulty = await run('faulty', { EPYCLOUD_FAULT_TASKS: '9' }, CODE);
    expect(faulty).toEqual({ cacheKeys: [], cache: { enabled: false, hits: 0, lookedUp: 0 } });
    expect((await run('source', {})).cacheKeys).toEqual([]);
    expect((await run('first', {}, CODE)).cacheKeys).toHaveLength(3);
    expect((await run('second', {}, CODE)).cache).toEqual({ enabled: true, hits: 3, lookedUp: 3 });
  });
});
