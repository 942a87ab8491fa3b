import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { processDeps } from '../../../cli/deps.js';

const base = { local: false, localDir: '/tmp/epycloud-deps-test' };

describe('the one place that picks the back end', () => {
  it('picks the rehearsal for --rehearse: it runs workflows only, and refuses --resume', async () => {
    const rehearsal = processDeps().backend({ ...base, rehearse: true });
    expect(rehearsal.name).toBe('rehearsal');
    await expect(
      rehearsal.runJob(
        { expId: 'e', runId: 'r', stage: 'output', parallelism: 1, retries: 0 },
        () => {},
      ),
    ).rejects.toThrow('--rehearse only runs `run workflow`: drop it for this command');
    await expect(
      rehearsal.runWorkflow({ expId: 'e', resume: 'r1', parallelism: 1, retries: 0 }, () => {}),
    ).rejects.toThrow(
      /--resume is for local runs: retry a failed cloud run with `epycloud workflow retry <execution>`/,
    );
  });

  it('plans a --dry-run --rehearse without rehearsing: validation only, nothing started', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'epycloud-deps-'));
    await cp(
      join(PROJECT_ROOT, 'local', 'forecast', 'experiments', 'examples', 'seir-ma'),
      join(dir, 'forecast', 'experiments', 'x'),
      {
        recursive: true,
      },
    );
    const notes: string[] = [];
    const rehearsal = processDeps().backend({ ...base, localDir: dir, rehearse: true });
    const result = await rehearsal.runWorkflow(
      { expId: 'x', dryRun: true, parallelism: 1, retries: 0 },
      (e) => void (e.type === 'note' && notes.push(e.message)),
    );
    expect(result).toMatchObject({
      status: 'planned',
      backend: 'cloud',
      runtime: 'rehearsal',
      numTasks: 1,
    });
    expect(result.plan?.tasks).toBe(1);
    expect(notes.some((n) => n.includes('synthesizing'))).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });

  it('picks the local back end for --local and AWS otherwise', async () => {
    expect(processDeps().backend({ ...base, local: true, runtime: 'process' }).name).toBe('local');
    expect(processDeps().backend({ ...base, region: 'eu-west-1' }).name).toBe('cloud');
  });
});
