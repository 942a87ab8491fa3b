import { describe, expect, it } from 'vitest';
import { listExecutions } from '../../../lib/cloud/executions.js';
import { executionNamePrefix } from '../../../lib/cloud/names.js';
import {
  cancelExecution,
  retryExecution,
  retryExecutionName,
} from '../../../lib/cloud/workflows.js';
import { addExecution, addJob, DEPLOYMENT, fakeWithStacks } from './fixtures.js';

describe('workflow list', () => {
  it('follows nextToken pages, filters by experiment, and stops at --limit and --since', async () => {
    const aws = fakeWithStacks();
    for (let i = 0; i < 250; i++) {
      const e = addExecution(aws, `${i % 2 ? 'flu' : 'covid'}--r${i}`, {});
      e.startDate = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
    }
    aws.executions.sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    expect(await listExecutions(aws.clients.sfn, DEPLOYMENT.stateMachineArn)).toHaveLength(250);
    const flu = await listExecutions(aws.clients.sfn, DEPLOYMENT.stateMachineArn, {
      namePrefix: executionNamePrefix('flu'),
    });
    expect(flu).toHaveLength(125);
    expect(flu[0]?.name).toBe('flu--r249');
    expect(
      await listExecutions(aws.clients.sfn, DEPLOYMENT.stateMachineArn, { limit: 3 }),
    ).toHaveLength(3);
    expect(
      await listExecutions(aws.clients.sfn, DEPLOYMENT.stateMachineArn, {
        since: new Date(Date.UTC(2026, 0, 1, 0, 0, 240)),
      }),
    ).toHaveLength(10);
  });
});

describe('workflow cancel', () => {
  it('stops the execution and terminates its active jobs and any queued job tagged with its run', async () => {
    const aws = fakeWithStacks();
    const execution = addExecution(aws, 'e--r', { expId: 'e', runId: 'r' });
    addJob(aws, {
      jobId: 'a',
      status: 'SUCCEEDED',
      tags: { 'epycloud:run_id': 'r', 'epycloud:exp_id': 'e' },
    });
    addJob(aws, {
      jobId: 'b',
      status: 'RUNNING',
      tags: { 'epycloud:run_id': 'r', 'epycloud:exp_id': 'e' },
    });
    addJob(aws, {
      jobId: 'stray',
      status: 'RUNNABLE',
      tags: { 'epycloud:run_id': 'r', 'epycloud:exp_id': 'e' },
    });
    addJob(aws, {
      jobId: 'other-run',
      status: 'RUNNING',
      tags: { 'epycloud:run_id': 'r2', 'epycloud:exp_id': 'e' },
    });
    aws.submitted(execution, 'a');
    aws.submitted(execution, 'b');
    const result = await cancelExecution(aws.clients, DEPLOYMENT, 'e--r');
    expect(result.stopped).toBe(true);
    expect(execution.status).toBe('ABORTED');
    expect([...result.terminatedJobIds].sort()).toEqual(['b', 'stray']);
    expect(aws.jobs.get('other-run')?.status).toBe('RUNNING');
  });
});

describe('workflow retry', () => {
  it('starts a new execution of the same run for a failed one, and refuses a running one', async () => {
    const aws = fakeWithStacks();
    const execution = addExecution(aws, 'e--r', { expId: 'e', runId: 'r' }, 'FAILED');
    const at = new Date('2026-11-30T12:00:00Z');
    const after = await retryExecution(aws.clients, DEPLOYMENT, execution.arn, () => at);
    expect(after).toMatchObject({
      name: 'e--r-retry-20261130-120000',
      status: 'RUNNING',
      runId: 'r',
      expId: 'e',
    });
    await expect(retryExecution(aws.clients, DEPLOYMENT, after.arn)).rejects.toThrow(
      'Execution e--r-retry-20261130-120000 is RUNNING: only a failed, timed-out or aborted run can be retried',
    );
    expect(retryExecutionName('x'.repeat(80), at)).toHaveLength(80);
    expect(retryExecutionName(after.name, new Date('2026-12-01T00:00:00Z'))).toBe(
      'e--r-retry-20261201-000000',
    );
  });

  it('retries with the image the run was pinned to, not what its tag names now', async () => {
    const aws = fakeWithStacks();
    const execution = addExecution(
      aws,
      'e--p',
      { expId: 'e', runId: 'p', imageTag: 'latest' },
      'FAILED',
    );
    const pinned = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/epycloud@sha256:${'a'.repeat(64)}`;
    execution.history.push({
      id: 1,
      timestamp: new Date(),
      type: 'TaskStateExited',
      stateExitedEventDetails: {
        name: 'PrepareRun',
        output: JSON.stringify({
          run: {
            expId: 'e',
            runId: 'p',
            image: { requested: 'x:latest', uri: pinned, digest: `sha256:${'a'.repeat(64)}` },
          },
        }),
      },
    });
    const after = await retryExecution(aws.clients, DEPLOYMENT, execution.arn);
    const input = JSON.parse(aws.executions.find((e) => e.arn === after.arn)!.input) as Record<
      string,
      unknown
    >;
    expect(input).toMatchObject({ expId: 'e', runId: 'p', imageUri: pinned });
    expect(input.imageTag).toBeUndefined();
  });

  it('names a missing execution', async () => {
    const aws = fakeWithStacks();
    await expect(retryExecution(aws.clients, DEPLOYMENT, 'nope')).rejects.toThrow(
      /Not found: .*execution:Pipeline:nope/,
    );
  });
});
