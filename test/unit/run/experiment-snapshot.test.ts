import { describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { snapshotManifestSchema } from '../../../lib/contract/snapshot-manifest.js';
import { StageError } from '../../../lib/errors.js';
import { sha256 } from '../../../lib/run/checksum.js';
import { readVerifiedSnapshot, writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { Storage } from '../../../lib/storage/index.js';
import { RecordingDriver } from '../stages/helpers.js';

const FILES = new Map([
  ['config/model.yaml', 'model: {}\n'],
  ['config/output.yaml', 'output: {}\n'],
  ['data/cases.csv', 'a,b\n1,2\n'],
]);

async function snapshot() {
  const driver = new RecordingDriver();
  const storage = new Storage(driver);
  const layout = new RunLayout('tests/snap', 'r1');
  await writeSnapshot(storage, layout, FILES);
  return { driver, storage, layout };
}

/** The StageError reading the snapshot throws. */
async function refusal(storage: Storage, layout: RunLayout): Promise<StageError> {
  const error = await readVerifiedSnapshot(storage, layout).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StageError);
  return error as StageError;
}

describe('experiment snapshots with a manifest', () => {
  it('writes every file, then the manifest last with each sha256, and reads them back in path order', async () => {
    const { driver, storage, layout } = await snapshot();
    expect(driver.puts).toEqual([
      ...[...FILES.keys()].map((path) => layout.experimentFile(path)),
      layout.snapshotManifest,
    ]);
    expect(layout.snapshotManifest).toBe(`${layout.experimentPrefixKey}snapshot-manifest.json`);
    const manifest = snapshotManifestSchema.parse(await storage.getJson(layout.snapshotManifest));
    expect(manifest.files).toEqual(
      [...FILES].map(([path, text]) => ({
        path,
        sha256: sha256(text),
        bytes: Buffer.byteLength(text),
      })),
    );
    expect([...(await readVerifiedSnapshot(storage, layout))]).toEqual([...FILES]);
  });

  it('refuses a snapshot whose upload stopped before the manifest, and says what to do', async () => {
    const { storage, layout } = await snapshot();
    await storage.delete(layout.snapshotManifest);
    const error = await refusal(storage, layout);
    expect(error.message).toMatch(
      /^Incomplete experiment snapshot under \S+experiment\/ .*: it has no \S+snapshot-manifest\.json/,
    );
    expect(error.message).toContain('--run-id r1 --yes');
  });

  it('says there is no snapshot at all when nothing was uploaded', async () => {
    const storage = new Storage(new RecordingDriver());
    const error = await refusal(storage, new RunLayout('tests/snap', 'r1'));
    expect(error.message).toMatch(/^No experiment snapshot under \S+experiment\//);
  });

  it('names every missing, extra and edited file at once', async () => {
    const { storage, layout } = await snapshot();
    await storage.delete(layout.experimentFile('config/output.yaml'));
    await storage.put(layout.experimentFile('config/extra.yaml'), 'extra: 1\n');
    await storage.put(layout.experimentFile('data/cases.csv'), 'a,b\n1,3\n');
    const error = await refusal(storage, layout);
    expect(error.message).toContain(`does not match its manifest ${layout.snapshotManifest}`);
    expect(error.message).toContain('config/output.yaml: missing (the manifest lists it)');
    expect(error.message).toContain(
      'config/extra.yaml: not in the manifest (added after the upload)',
    );
    expect(error.message).toContain("data/cases.csv: differs from the manifest's sha256");
    expect(error.message).toMatch(/Re-upload the experiment by starting a new run/);
  });

  it('refuses an invalid manifest, and a rewrite replaces the old manifest only after the new files', async () => {
    const { storage, layout, driver } = await snapshot();
    await storage.putJson(layout.snapshotManifest, {
      version: 1,
      files: [{ path: 'config/model.yaml' }],
    });
    expect((await refusal(storage, layout)).message).toMatch(
      /^Invalid snapshot manifest \S+: files\.0\.sha256/,
    );
    driver.puts.length = 0;
    await writeSnapshot(storage, layout, FILES);
    expect(driver.puts.at(-1)).toBe(layout.snapshotManifest);
    expect((await readVerifiedSnapshot(storage, layout)).size).toBe(3);
  });
});
