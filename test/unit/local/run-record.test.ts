import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { EPYCLOUD_VERSION } from '../../../lib/contract/version.js';
import { exec } from '../../../lib/host/exec.js';
import { runLocalWorkflow } from '../../../lib/local/workflow.js';
import { readRunRecord } from '../../../lib/run/run-record.js';
import { sha256 } from '../../../lib/run/checksum.js';
import { fakeContext, removeTempDirs } from './fakes.js';

afterAll(removeTempDirs);

const base = { expId: 'examples/fake', parallelism: 2, retries: 0 };
const launchedBy = { by: 'ana@lab', argv: ['run', 'workflow', '--exp-id', 'examples/fake'] };
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd });

describe('run.json of a local run', () => {
  it('records the experiment, version, stage code, git state and launch, then how the run ended', async () => {
    const fake = await fakeContext({ numTasks: 2 });
    const folder = join(fake.ctx.paths.experimentsDir, 'examples', 'fake');
    git(folder, 'init', '-q');
    git(folder, 'add', '.');
    git(folder, 'commit', '-qm', 'experiment');
    const commit = git(folder, 'rev-parse', 'HEAD').toString().trim();
    const launcher = {
      ...fake.launcher,
      stageCode: async () => ({ kind: 'bundle' as const, sha256: 'b'.repeat(64) }),
    };
    const ctx = {
      ...fake.ctx,
      launcher,
      exec,
      launchedBy,
      now: () => new Date('2026-12-02T14:00:00Z'),
    };
    await runLocalWorkflow(ctx, { ...base, runId: 'r1', referenceDate: '2026-12-05' });
    const record = await readRunRecord(fake.storage, new RunLayout('examples/fake', 'r1'));
    const snapshotFile = { path: 'config/model.yaml', sha256: sha256('model: {}'), bytes: 9 };
    expect(record).toEqual({
      version: 1,
      expId: 'examples/fake',
      runId: 'r1',
      state: 'succeeded',
      backend: 'local',
      runtime: 'process',
      startedAt: '2026-12-02T14:00:00.000Z',
      endedAt: '2026-12-02T14:00:00.000Z',
      referenceDate: '2026-12-05',
      experiment: {
        sha256: sha256(`${snapshotFile.sha256}  config/model.yaml\n`),
        files: [snapshotFile],
      },
      epycloudVersion: EPYCLOUD_VERSION,
      git: { commit, dirty: false },
      stageCode: { kind: 'bundle', sha256: 'b'.repeat(64) },
      launches: [{ kind: 'start', at: '2026-12-02T14:00:00.000Z', ...launchedBy }],
      cache: { enabled: true },
    });
    await writeFile(join(folder, 'config', 'model.yaml'), 'model: {changed: 1}\n');
    await runLocalWorkflow(ctx, { ...base, runId: 'r2', noCache: true });
    const second = await readRunRecord(fake.storage, new RunLayout('examples/fake', 'r2'));
    expect(second).toMatchObject({ git: { commit, dirty: true }, cache: { enabled: false } });
  });

  it('records a failed run with its failure, and a resume as a second launch of the same record', async () => {
    const fake = await fakeContext({ numTasks: 2, failFirst: new Map([[1, 1]]) });
    const ctx = { ...fake.ctx, launchedBy };
    const layout = new RunLayout('examples/fake', 'r1');
    await runLocalWorkflow(ctx, { ...base, runId: 'r1' });
    const failed = await readRunRecord(fake.storage, layout);
    expect(failed).toMatchObject({
      state: 'failed',
      failure: expect.stringMatching(/task\(s\) 1/),
    });
    expect(failed?.git).toBeUndefined();
    await runLocalWorkflow(ctx, { ...base, resume: 'r1' });
    const resumed = await readRunRecord(fake.storage, layout);
    expect(resumed?.state).toBe('succeeded');
    expect(resumed?.startedAt).toBe(failed?.startedAt);
    expect(resumed?.launches.map((l) => l.kind)).toEqual(['start', 'resume']);
    expect(resumed?.failure).toBeUndefined();
  });
});
