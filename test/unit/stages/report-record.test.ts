import { describe, expect, it } from 'vitest';
import { snapshotManifestSchema } from '../../../lib/contract/snapshot-manifest.js';
import { experimentDigest, writeRunRecord } from '../../../lib/run/run-record.js';
import { runBuilder } from '../../../pipeline-scripts/builder.js';
import { runOutput } from '../../../pipeline-scripts/output.js';
import { runRunner } from '../../../pipeline-scripts/runner.js';
import { memoryLogger, seededRun } from './helpers.js';

const now = () => new Date('2026-01-02T03:04:05Z');

/** A finished tiny run's report.html, with or without a run record. */
async function report(withRecord: boolean): Promise<string> {
  const { storage, layout } = await seededRun();
  const log = memoryLogger();
  await runBuilder({ layout, now }, storage, log);
  for (let i = 0; i < 3; i++) await runRunner({ layout, taskIndex: i, now }, storage, log);
  if (withRecord) {
    const manifest = snapshotManifestSchema.parse(await storage.getJson(layout.snapshotManifest));
    await writeRunRecord(storage, layout, {
      version: 1,
      expId: layout.expId,
      runId: layout.runId,
      state: 'running',
      backend: 'local',
      runtime: 'process',
      startedAt: '2026-01-02T03:00:00Z',
      experiment: experimentDigest(manifest.files),
      epycloudVersion: '9.9.9',
      git: { commit: '0123abcd', dirty: true },
      launches: [{ kind: 'start', at: '2026-01-02T03:00:00Z', by: 'ana@lab', argv: ['run'] }],
      cache: { enabled: true },
    });
  }
  await runOutput({ layout, numTasks: 3, allowPartial: false, now }, storage, log);
  const key = (await storage.list(layout.outputsPrefix)).find((k) => k.endsWith('report.html'))!;
  return storage.getText(key);
}

describe("the report's lineage", () => {
  it("shows the run record: version, git commit, launches, and the experiment's digest", async () => {
    const page = await report(true);
    expect(page).toContain('<h3>Run record</h3>');
    for (const text of ['9.9.9', '0123abcd', 'ana@lab']) expect(page).toContain(text);
    expect(page).toMatch(/sha256 [0-9a-f]{64} \(3 files\)/);
  });

  it('says so when the run wrote no record', async () => {
    expect(await report(false)).toContain('The run wrote no run record.');
  });
});
