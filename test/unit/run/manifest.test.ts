import { describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { StageError } from '../../../lib/errors.js';
import {
  readManifest,
  readManifestEntries,
  readManifestEntry,
  writeManifest,
} from '../../../lib/run/manifest.js';
import { Storage } from '../../../lib/storage/index.js';
import { planRun } from '../../../lambdas/plan-stage-b/plan.js';
import type { RunSpec } from '../../../lib/contract/pipeline.js';
import { MemoryDriver } from '../../support/memory-driver.js';

/** A memory driver that counts the bytes every `get` returns. */
class CountingDriver extends MemoryDriver {
  bytesRead = 0;
  override async get(key: string): Promise<Uint8Array> {
    const bytes = await super.get(key);
    this.bytesRead += bytes.length;
    return bytes;
  }
}

const layout = new RunLayout('scale/exp', 'r1');
const entries = (n: number) =>
  Array.from({ length: n }, (_, index) => ({
    index,
    key: layout.input(index),
    sha256: 'ab'.repeat(32),
  }));

async function built(n: number) {
  const driver = new CountingDriver();
  const storage = new Storage(driver);
  await writeManifest(storage, layout, entries(n), '2026-01-01T00:00:00Z');
  driver.bytesRead = 0;
  return { driver, storage };
}

describe('the manifest in parts', () => {
  it('lets a task read its entry in bytes that do not grow with N', async () => {
    const read = async (n: number, index: number) => {
      const { driver, storage } = await built(n);
      const manifest = await readManifest(storage, layout);
      expect(await readManifestEntry(storage, layout, manifest, index)).toEqual(entries(n)[index]);
      return driver.bytesRead;
    };
    const small = await read(1_000, 999);
    const large = await read(20_000, 19_999);
    // the same one part and head: only the indexes' digits differ (2 more digits x 1,000 entries)
    expect(large).toBeLessThanOrEqual(small * 1.02);
    expect(small).toBeLessThan(200_000); // one part of 1,000 entries and the head
  });

  it('lets the planner read the head alone, whatever N', async () => {
    const run = {
      expId: layout.expId,
      runId: layout.runId,
      dirPrefix: '',
      maxParallelism: null,
      outputConfigFile: null,
      resources: {
        builder: { vcpus: 1, memoryMiB: 2048 },
        runner: { vcpus: 1, memoryMiB: 2048 },
        output: { vcpus: 1, memoryMiB: 2048 },
      },
    } as unknown as RunSpec;
    const { driver, storage } = await built(20_000);
    const plan = await planRun({ run }, { storage, bucket: 'data' });
    expect(plan.numTasks).toBe(20_000);
    expect(driver.bytesRead).toBeLessThan(500);
  });

  it('reads every entry in order for whole-run readers, and refuses a missing or shuffled part', async () => {
    const { storage } = await built(2_500);
    const manifest = await readManifest(storage, layout);
    expect(manifest).toMatchObject({ version: 2, numTasks: 2_500, partSize: 1_000 });
    expect(await readManifestEntries(storage, layout, manifest)).toEqual(entries(2_500));
    await storage.putJson(layout.manifestPart(1), {
      version: 2,
      first: 1000,
      inputs: entries(2_500).slice(1001, 2001),
    });
    await expect(readManifestEntry(storage, layout, manifest, 1500)).rejects.toThrow(
      `Invalid manifest part ${layout.manifestPart(1)}: expected entries 1000..1999 in order, got 1000 from 1000`,
    );
    await storage.delete(layout.manifestPart(2));
    const missing = await readManifestEntry(storage, layout, manifest, 2_400).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(StageError);
    expect((missing as Error).message).toBe(
      `Manifest part ${layout.manifestPart(2)} is missing: the build is corrupt; rebuild with a new run id`,
    );
    await expect(readManifestEntry(storage, layout, manifest, 2_500)).rejects.toThrow(
      'Task index 2500 is out of range: the manifest lists 2500 task(s)',
    );
  });
});
