import { describe, expect, it } from 'vitest';
import { runBuilder } from '../../../pipeline-scripts/builder.js';
import { runOutput } from '../../../pipeline-scripts/output.js';
import { runRunner } from '../../../pipeline-scripts/runner.js';
import { readOutputFolders } from '../../../lib/run/output-folders.js';
import { memoryLogger, seededRun } from './helpers.js';

const now = () => new Date('2026-01-02T03:04:05Z');

describe('Stage C after an interrupted Stage C', () => {
  it("removes the run's output folders without index.json, and keeps finished ones", async () => {
    const { storage, layout } = await seededRun('cut-short');
    const log = memoryLogger();
    await runBuilder({ layout, now }, storage, log);
    for (let i = 0; i < 3; i++) await runRunner({ layout, taskIndex: i }, storage, log);
    const finished = layout.outputDir('20250101-000000');
    await storage.put(`${finished}quantiles_compartments.csv`, 'kept');
    await storage.putJson(`${finished}index.json`, { files: [] });
    const interrupted = layout.outputDir('20260101-000000');
    await storage.put(`${interrupted}quantiles_compartments.csv`, 'half');
    await storage.put(`${interrupted}trajectories/part.csv`, 'half');

    const summary = await runOutput({ layout, allowPartial: false, now }, storage, log);

    expect(await storage.list(interrupted)).toEqual([]);
    expect(await storage.getText(`${finished}quantiles_compartments.csv`)).toBe('kept');
    expect(await readOutputFolders(storage, layout)).toEqual({
      finished: ['20250101-000000', '20260102-030405'],
      unfinished: [],
    });
    expect(summary.outputDir).toBe(layout.outputDir('20260102-030405'));
    expect(log.lines).toContainEqual({
      level: 'info',
      message: 'removed unfinished output folder',
      fields: { output_dir: interrupted },
    });
  });
});
