import { describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import type { Manifest } from '../../../lib/contract/manifest.js';
import { writeManifest } from '../../../lib/run/manifest.js';
import {
  checkResult,
  recomputeHint,
  resultsToCompute,
  writeResult,
} from '../../../lib/run/result-check.js';
import { StorageError } from '../../../lib/errors.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';

const layout = new RunLayout('tests/results', 'r1');
const input = (i: number) => String(i).repeat(64).slice(0, 64);
const entries = [0, 1, 2].map((index) => ({
  index,
  key: layout.input(index),
  sha256: input(index),
}));
let manifest: Manifest;

/** A driver `get` that fails with a storage error for `key` and reads the others from `storage`. */
const unreadable = (key: string, storage: Storage) => async (k: string) => {
  if (k === key) throw new StorageError(`Could not read ${key}: disk error`);
  return storage.driver.get(k);
};

/** A run whose three results were written and recorded as Stage B does. */
async function recordedRun() {
  const storage = new Storage(new MemoryDriver());
  manifest = await writeManifest(storage, layout, entries, '2026-01-01T00:00:00Z');
  for (const { index, sha256 } of entries) {
    const result = await writeResult(
      storage,
      layout,
      index,
      sha256,
      JSON.stringify({ index, values: [1, 2, 3] }),
    );
    await storage.putJson(layout.summary('runner', index), { stage: 'runner', result });
  }
  return storage;
}

describe('result checksums', () => {
  it('accepts a result whose bytes match its record, and hashes the bytes whatever the format', async () => {
    const storage = await recordedRun();
    const checked = await checkResult(storage, layout, 1, input(1));
    expect(checked).toMatchObject({
      ok: true,
      checksum: { key: layout.result(1), inputSha256: input(1) },
    });
    expect(await resultsToCompute(storage, layout, manifest)).toEqual([]);
    const bytes = await writeResult(storage, layout, 0, input(0), new Uint8Array([0, 255, 7]));
    expect(bytes).toMatchObject({ bytes: 3 });
  });

  it('finds an unreadable, an edited, an unrecorded and a missing result, and says why', async () => {
    const storage = await recordedRun();
    const failing = new Storage(
      Object.assign(Object.create(storage.driver) as MemoryDriver, {
        get: unreadable(layout.result(0), storage),
      }),
    );
    await storage.put(layout.result(1), JSON.stringify({ index: 1, values: [1, 2, 4] }));
    await storage.delete(layout.summary('runner', 2));
    expect(await resultsToCompute(failing, layout, manifest)).toEqual([
      { index: 0, problem: 'unreadable', detail: `Could not read ${layout.result(0)}: disk error` },
      {
        index: 1,
        problem: 'mismatch',
        detail: `${layout.result(1)} does not match the sha256 Stage B recorded in ${layout.summary('runner', 1)} (edited or corrupt after it was written)`,
      },
      {
        index: 2,
        problem: 'unrecorded',
        detail: `${layout.summary('runner', 2)} records no checksum of ${layout.result(2)} (Stage B did not finish it)`,
      },
    ]);
    await storage.delete(layout.result(1));
    expect(await checkResult(storage, layout, 1, input(1))).toMatchObject({
      ok: false,
      problem: 'missing',
    });
  });

  it('finds a result recorded for another input', async () => {
    const storage = await recordedRun();
    expect(await checkResult(storage, layout, 2, input(9))).toMatchObject({
      ok: false,
      problem: 'stale',
    });
  });

  it('says how to recompute a result locally and on AWS', () => {
    expect(recomputeHint(layout, 4)).toBe(
      'recompute it with `epycloud run workflow --local --exp-id tests/results --resume r1` (local) or ' +
        '`epycloud run job --stage B --exp-id tests/results --run-id r1 --task-index 4` (AWS), then run Stage C again',
    );
  });
});
