import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { ConfigError, ValidationError } from '../../../lib/errors.js';
import {
  readSnapshot,
  snapshotExperiment,
  validateExperimentDir,
} from '../../../lib/experiment/snapshot.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';
import { SIR_MODEL } from './fixtures.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function experimentDir(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'epycloud-exp-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

describe('experiment snapshots', () => {
  it('copies config YAML and data CSVs to the run, and reads them back', async () => {
    const local = await experimentDir({
      'config/model.yaml': SIR_MODEL,
      'data/extra.csv': 'a,b\n1,2\n',
      'notes.txt': 'not part of the snapshot',
      '.hidden/x.csv': 'skipped',
      'config/sub/deep.yaml': 'skipped: true\n',
    });
    const storage = new Storage(new MemoryDriver());
    const layout = new RunLayout('a/b', 'r1', 'team/');
    const keys = await snapshotExperiment(local, storage, layout);
    expect(keys).toEqual([
      'team/a/b/runs/r1/experiment/config/model.yaml',
      'team/a/b/runs/r1/experiment/data/extra.csv',
    ]);
    expect([...(await readSnapshot(storage, layout)).entries()]).toEqual([
      ['config/model.yaml', SIR_MODEL],
      ['data/extra.csv', 'a,b\n1,2\n'],
    ]);
  });

  it('validates without writing, and fails clearly for a missing folder or a bad config', async () => {
    await expect(validateExperimentDir('/nonexistent/epycloud/exp')).rejects.toThrow(
      ValidationError,
    );
    await expect(validateExperimentDir('/nonexistent/epycloud/exp')).rejects.toThrow(
      'Experiment folder not found: /nonexistent/epycloud/exp',
    );
    const local = await experimentDir({
      'config/model.yaml': SIR_MODEL.replace('n_sims: 5', 'n_sims: -1'),
    });
    const error = await validateExperimentDir(local).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(
      'config/model.yaml: model.simulation.n_sims (line 9): Too small: expected number to be >=1',
    );
  });
});
