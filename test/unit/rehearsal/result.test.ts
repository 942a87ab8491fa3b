import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../lib/rehearsal/batch-stand-in.js';
import { failedTaskIndexes, stageDurations } from '../../../lib/rehearsal/result.js';

function job(
  stage: JobRecord['stage'],
  submittedAt: number,
  settledAt: number | undefined,
  extra: Partial<JobRecord> = {},
): JobRecord {
  return {
    jobId: `j-${stage}-${submittedAt}`,
    jobName: 'n',
    stage,
    arraySize: undefined,
    sequential: false,
    environment: {},
    command: undefined,
    attempts: [],
    status: settledAt === undefined ? 'RUNNING' : 'SUCCEEDED',
    submittedAt,
    settledAt,
    ...extra,
  };
}

describe('rehearsal summary', () => {
  it('times each stage from its first submission to its last end, overlapping parts counted once', () => {
    const jobs = [
      job('builder', 0, 100),
      job('runner', 100, 400),
      job('runner', 150, 500),
      job('output', 500, 560),
    ];
    expect(stageDurations(jobs)).toEqual({ builder: 100, runner: 400, output: 60 });
  });

  it('leaves out a stage still running and stages that never ran', () => {
    expect(stageDurations([job('builder', 0, 50), job('runner', 60, undefined)])).toEqual({
      builder: 50,
    });
  });

  it('names failed tasks by their index in the run, offsets included', () => {
    const attempts = [
      { attempt: 1, index: 0, exitCode: 5 },
      { attempt: 2, index: 0, exitCode: 0 },
      { attempt: 1, index: 1, exitCode: 5 },
    ];
    const jobs = [job('runner', 0, 10, { environment: { TASK_INDEX_OFFSET: '10000' }, attempts })];
    expect(failedTaskIndexes(jobs)).toEqual([10_001]);
  });
});
