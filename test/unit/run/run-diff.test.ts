import { describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { StageError, ValidationError } from '../../../lib/errors.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { diffRuns } from '../../../lib/run/run-diff.js';
import { experimentDigest, writeRunRecord, type RunRecord } from '../../../lib/run/run-record.js';
import { snapshotManifestSchema } from '../../../lib/contract/snapshot-manifest.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';

const MODEL = 'model:\n  name: m\n  parameters: {beta: 0.4}\n';

async function run(
  storage: Storage,
  runId: string,
  files: Record<string, string>,
  record?: Partial<RunRecord>,
) {
  const layout = new RunLayout('flu', runId);
  await writeSnapshot(storage, layout, new Map(Object.entries(files)));
  if (record) {
    const manifest = snapshotManifestSchema.parse(await storage.getJson(layout.snapshotManifest));
    await writeRunRecord(storage, layout, {
      version: 1,
      expId: 'flu',
      runId,
      state: 'succeeded',
      backend: 'local',
      runtime: 'process',
      startedAt: '2026-12-02T14:00:00Z',
      experiment: experimentDigest(manifest.files),
      epycloudVersion: '0.1.0',
      launches: [{ kind: 'start', at: '2026-12-02T14:00:00Z', by: 'ana@lab' }],
      cache: { enabled: true },
      ...record,
    });
  }
  return layout;
}

describe('diffRuns', () => {
  it('names added, removed and changed files, with a unified diff, and the record fields that changed', async () => {
    const storage = new Storage(new MemoryDriver());
    const a = await run(
      storage,
      'a',
      { 'config/model.yaml': MODEL, 'data/old.csv': 'x\n1\n' },
      { referenceDate: '2026-11-28', git: { commit: 'c1', dirty: false } },
    );
    const b = await run(
      storage,
      'b',
      { 'config/model.yaml': MODEL.replace('0.4', '0.5'), 'data/new.csv': 'x\n2\n' },
      { referenceDate: '2026-12-05', git: { commit: 'c2', dirty: true }, epycloudVersion: '0.2.0' },
    );
    const diff = await diffRuns(storage, a, b);
    expect(diff.sameExperiment).toBe(false);
    expect(diff.files.map((f) => [f.change, f.path])).toEqual([
      ['changed', 'config/model.yaml'],
      ['added', 'data/new.csv'],
      ['removed', 'data/old.csv'],
    ]);
    expect(diff.files[0]!.patch).toMatch(
      /- {2}parameters: \{beta: 0\.4\}\n\+ {2}parameters: \{beta: 0\.5\}/,
    );
    expect(diff.fields).toEqual([
      { field: 'epycloudVersion', before: '0.1.0', after: '0.2.0' },
      {
        field: 'git',
        before: { commit: 'c1', dirty: false },
        after: { commit: 'c2', dirty: true },
      },
      { field: 'referenceDate', before: '2026-11-28', after: '2026-12-05' },
    ]);
    expect(diff.withoutRecord).toEqual([]);
  });

  it('finds nothing between identical runs, compares files only without records, and refuses an unknown run', async () => {
    const storage = new Storage(new MemoryDriver());
    const a = await run(storage, 'a', { 'config/model.yaml': MODEL });
    const b = await run(storage, 'b', { 'config/model.yaml': MODEL });
    expect(await diffRuns(storage, a, b)).toEqual({
      a: 'a',
      b: 'b',
      sameExperiment: true,
      files: [],
      fields: [],
      withoutRecord: ['a', 'b'],
    });
    await expect(diffRuns(storage, a, new RunLayout('flu', 'nope'))).rejects.toThrow(
      ValidationError,
    );
    await expect(diffRuns(storage, a, new RunLayout('flu', 'nope'))).rejects.toThrow(
      /Run nope of flu has no experiment snapshot/,
    );
  });

  it("says what is wrong with a run's snapshot manifest, naming the field", async () => {
    const storage = new Storage(new MemoryDriver());
    const a = await run(storage, 'a', { 'config/model.yaml': MODEL });
    const b = await run(storage, 'b', { 'config/model.yaml': MODEL });
    await storage.putJson(b.snapshotManifest, { version: 1, files: [{ path: 'x' }] });
    await expect(diffRuns(storage, a, b)).rejects.toThrow(StageError);
    await expect(diffRuns(storage, a, b)).rejects.toThrow(
      /Invalid snapshot manifest flu\/runs\/b\/experiment\/snapshot-manifest\.json: files\.0\./,
    );
  });
});
