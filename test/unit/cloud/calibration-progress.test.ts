import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { PROGRESS_READS_MAX } from '../../../lib/cloud/calibration-progress.js';
import { progressLine, waitForRun } from '../../../lib/cloud/progress.js';
import type { CalibrationProgress } from '../../../lib/contract/calibration-progress.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { awsError } from './fake-aws.js';
import { addExecution, addJob, DEPLOYMENT, fakeWithStacks } from './fixtures.js';

const progress = (generation: number, accepted = 60): CalibrationProgress => ({
  generation,
  generations: 3,
  accepted,
  particles: 60,
  tolerance: generation === 0 ? null : 40,
  simulations: 120,
  updatedAt: '2026-01-01T00:00:00.000Z',
});

/** A run whose Stage B array job has `size` tasks: the first `done` succeeded, the rest run. */
function stageB(
  size: number,
  done: number,
  input: Record<string, unknown> = { expId: 'e', runId: 'r' },
) {
  const aws = fakeWithStacks();
  const execution = addExecution(aws, 'e--r', input);
  const statuses = Array.from({ length: size }, (_, i) => ({
    status: i < done ? 'SUCCEEDED' : 'RUNNING',
  }));
  addJob(aws, { jobId: 'a', status: 'SUCCEEDED', tags: { 'epycloud:stage': 'builder' } });
  const summary = { SUCCEEDED: done, RUNNING: size - done };
  addJob(
    aws,
    {
      jobId: 'b',
      status: 'RUNNING',
      tags: { 'epycloud:stage': 'runner' },
      arrayProperties: { size, statusSummary: summary },
    },
    statuses,
  );
  aws.submitted(execution, 'a');
  aws.submitted(execution, 'b');
  const layout = new RunLayout('e', 'r', (input.dirPrefix as string | undefined) ?? '');
  const put = (key: string, value: unknown) =>
    aws.objects.set(key, Buffer.from(JSON.stringify(value)));
  return { aws, execution, layout, put };
}

/** The lines `--wait` shows, polling until the execution is set to SUCCEEDED after the first poll. */
async function waitLines(run: ReturnType<typeof stageB>): Promise<string[]> {
  const lines: string[] = [];
  const sleep = async () => {
    run.execution.status = 'SUCCEEDED';
  };
  await waitForRun(run.aws.clients, DEPLOYMENT, run.execution.arn, {
    sleep,
    onProgress: (p) => lines.push(progressLine(p)),
  });
  return lines;
}

describe('--wait with forecast tasks calibrating', () => {
  it('shows the generation and particles of the running tasks, not of finished ones', async () => {
    const run = stageB(5, 3);
    for (const i of [0, 1, 2]) {
      run.put(run.layout.progress(i), progress(2));
      run.put(run.layout.result(i), {});
    }
    run.put(run.layout.progress(3), progress(1, 50));
    run.put(run.layout.progress(4), progress(0));
    const [line] = await waitLines(run);
    expect(line).toBe(
      'RUNNING    A 1/1  B 3 done, 0 failed, 2 running of 5 · calibrating 2 tasks: gen 2/3 (mean), 55/60 particles (mean)  C 0/0',
    );
  });

  it('reads the progress under the run’s DIR_PREFIX', async () => {
    const run = stageB(2, 1, { expId: 'e', runId: 'r', dirPrefix: 'team/' });
    run.put(run.layout.progress(1), progress(1));
    expect(run.layout.progress(1)).toBe('team/e/runs/r/progress/task_00001.json');
    expect((await waitLines(run))[0]).toContain(
      'B 1 done, 0 failed, 1 running of 2 · calibrating: gen 2/3, 60/60 particles',
    );
  });

  it('lists by prefix and reads a bounded sample however many tasks calibrate', async () => {
    const run = stageB(300, 0);
    for (let i = 0; i < 300; i++) run.put(run.layout.progress(i), progress(i < 150 ? 0 : 2));
    const [line] = await waitLines(run);
    expect(line).toContain('· calibrating 300 tasks: gen 2/3 (mean), 60/60 particles (mean)');
    expect(run.aws.s3Mock.commandCalls(GetObjectCommand)).toHaveLength(PROGRESS_READS_MAX);
    expect(run.aws.count('ListObjectsV2')).toBe(2);
  });

  it('reads nothing from S3 once Stage B has no running task, and shows no calibration', async () => {
    const run = stageB(5, 5);
    run.put(run.layout.progress(4), progress(2));
    const [line] = await waitLines(run);
    expect(line).not.toMatch(/calibrating/);
    expect(run.aws.count('ListObjectsV2')).toBe(0);
  });

  it('keeps following the run when S3 cannot be read: progress is advisory', async () => {
    const run = stageB(5, 3);
    run.aws.s3Mock.on(ListObjectsV2Command).rejects(awsError('AccessDenied', 'Access Denied'));
    const lines = await waitLines(run);
    expect(lines[0]).toBe('RUNNING    A 1/1  B 3 done, 0 failed, 2 running of 5  C 0/0');
    expect(lines).toHaveLength(2);
  });
});
