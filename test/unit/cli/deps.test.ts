import { describe, expect, it } from 'vitest';
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

  it('picks the local back end for --local and AWS otherwise', async () => {
    expect(processDeps().backend({ ...base, local: true, runtime: 'process' }).name).toBe('local');
    expect(processDeps().backend({ ...base, region: 'eu-west-1' }).name).toBe('cloud');
  });
});
