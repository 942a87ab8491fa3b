import type { JobDetail } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { describeJobs, listQueueJobIds, stageOfJob } from '../../../lib/cloud/batch.js';
import { submitStageJob } from '../../../lib/cloud/run-job.js';
import { stageContainerOverrides } from '../../../lib/contract/batch-job.js';
import { cloudStatus } from '../../../lib/cloud/status.js';
import { progressLine, waitForRun } from '../../../lib/cloud/progress.js';
import { addExecution, addJob, DEPLOYMENT, fakeWithStacks } from './fixtures.js';

describe('Batch paging', () => {
  it('asks for every active status, since ListJobs without one returns only RUNNING jobs', async () => {
    const aws = fakeWithStacks();
    for (const [i, status] of ['SUBMITTED', 'RUNNABLE', 'RUNNING', 'SUCCEEDED'].entries())
      addJob(aws, { jobId: `j${i}`, status });
    expect((await listQueueJobIds(aws.clients.batch, DEPLOYMENT.jobQueueArn)).sort()).toEqual([
      'j0',
      'j1',
      'j2',
    ]);
  });

  it('follows ListJobs pages and describes 100 ids per call', async () => {
    const aws = fakeWithStacks();
    for (let i = 0; i < 250; i++) addJob(aws, { jobId: `j${i}`, status: 'RUNNABLE' });
    const ids = await listQueueJobIds(aws.clients.batch, DEPLOYMENT.jobQueueArn);
    expect(ids).toHaveLength(250);
    expect(await describeJobs(aws.clients.batch, ids)).toHaveLength(250);
    expect(aws.count('DescribeJobs')).toBe(3);
  });

  it('tells a job stage by tag, else by job definition (any revision)', () => {
    expect(stageOfJob({ tags: { 'epycloud:stage': 'runner' } } as unknown as JobDetail)).toBe(
      'runner',
    );
    expect(
      stageOfJob(
        {
          jobDefinition: DEPLOYMENT.jobDefinitions.output.replace(/:3$/, ':9'),
        } as unknown as JobDetail,
        DEPLOYMENT,
      ),
    ).toBe('output');
    expect(
      stageOfJob({ jobDefinition: 'other' } as unknown as JobDetail, DEPLOYMENT),
    ).toBeUndefined();
  });
});

describe('run job', () => {
  it('submits one tagged job with the stage contract in its overrides, never an AWS_BATCH* name', async () => {
    const aws = fakeWithStacks();
    const job = await submitStageJob(aws.clients, DEPLOYMENT, {
      stage: 'runner',
      expId: 'e',
      runId: 'r',
      taskIndex: 4,
      memoryMiB: 2048,
    });
    const input = aws.calls.find((c) => c.api === 'SubmitJob')?.input as {
      containerOverrides: {
        environment: { name: string; value: string }[];
        resourceRequirements?: object[];
      };
      jobDefinition: string;
      tags: object;
    };
    expect(job.jobName).toBe('epycloud-runner-e-r-task4');
    expect(input.jobDefinition).toBe(DEPLOYMENT.jobDefinitions.runner);
    expect(input.tags).toEqual({
      'epycloud:exp_id': 'e',
      'epycloud:run_id': 'r',
      'epycloud:stage': 'runner',
    });
    const env = Object.fromEntries(
      input.containerOverrides.environment.map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      EXECUTION_MODE: 'cloud',
      EXP_ID: 'e',
      RUN_ID: 'r',
      S3_BUCKET: 'epy-bucket',
      TASK_INDEX: '4',
    });
    expect(Object.keys(env).some((n) => n.startsWith('AWS_BATCH'))).toBe(false);
    expect(input.containerOverrides.resourceRequirements).toEqual([
      { type: 'MEMORY', value: '2048' },
    ]);
  });

  it("builds its overrides with the stage contract, the lambdas' builder, and keeps the job definition size when none is given", async () => {
    const aws = fakeWithStacks();
    await submitStageJob(aws.clients, DEPLOYMENT, {
      stage: 'output',
      expId: 'flu/2026',
      runId: 'r',
      numTasks: 7,
      dirPrefix: 'team/',
    });
    const input = aws.calls.find((c) => c.api === 'SubmitJob')?.input as {
      containerOverrides: {
        environment: { name: string; value: string }[];
        resourceRequirements?: object[];
      };
    };
    const contract = stageContainerOverrides({
      stage: 'output',
      expId: 'flu/2026',
      runId: 'r',
      dirPrefix: 'team/',
      bucket: 'epy-bucket',
      resources: {},
      numTasks: 7,
    });
    expect(input.containerOverrides.environment).toEqual(
      contract.Environment.map((e) => ({ name: e.Name, value: e.Value })),
    );
    expect(input.containerOverrides.resourceRequirements).toBeUndefined();
    await expect(
      submitStageJob(aws.clients, DEPLOYMENT, { stage: 'builder', expId: '../x', runId: 'r' }),
    ).rejects.toThrow(/Invalid experiment id/);
  });

  it('gives a Stage A job REFERENCE_DATE and OUTPUT_CONFIG_FILE', async () => {
    const aws = fakeWithStacks();
    const request = {
      stage: 'builder' as const,
      expId: 'e',
      runId: 'r',
      referenceDate: '2024-12-14',
      outputConfigFile: 'o.yaml',
    };
    await submitStageJob(aws.clients, DEPLOYMENT, request);
    const input = aws.calls.find((c) => c.api === 'SubmitJob')?.input as {
      containerOverrides: { environment: { name: string; value: string }[] };
    };
    const env = Object.fromEntries(
      input.containerOverrides.environment.map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({ REFERENCE_DATE: '2024-12-14', OUTPUT_CONFIG_FILE: 'o.yaml' });
  });

  it('refuses a Stage B job without a task index or task count (never a silent task 0)', async () => {
    const aws = fakeWithStacks();
    await expect(
      submitStageJob(aws.clients, DEPLOYMENT, { stage: 'runner', expId: 'e', runId: 'r' }),
    ).rejects.toThrow(/--task-index/);
    await expect(
      submitStageJob(aws.clients, DEPLOYMENT, {
        stage: 'runner',
        expId: 'e',
        runId: 'r',
        numTasks: 10_001,
      }),
    ).rejects.toThrow(/1\.\.10000/);
    expect(aws.count('SubmitJob')).toBe(0);
  });

  it('runs every Stage B task as one array job with --num-tasks, and one task with TASK_INDEX=0 when N = 1', async () => {
    const aws = fakeWithStacks();
    const all = await submitStageJob(aws.clients, DEPLOYMENT, {
      stage: 'runner',
      expId: 'e',
      runId: 'r',
      numTasks: 40,
    });
    expect(all.arraySize).toBe(40);
    const one = await submitStageJob(aws.clients, DEPLOYMENT, {
      stage: 'runner',
      expId: 'e',
      runId: 'r',
      numTasks: 1,
    });
    expect(one.arraySize).toBeUndefined();
    const inputs = aws.calls
      .filter((c) => c.api === 'SubmitJob')
      .map(
        (c) =>
          c.input as { containerOverrides: { environment: { name: string; value: string }[] } },
      );
    const envs = inputs.map((i) =>
      Object.fromEntries(i.containerOverrides.environment.map((e) => [e.name, e.value])),
    );
    expect(envs[0]?.TASK_INDEX).toBeUndefined();
    expect(envs[1]?.TASK_INDEX).toBe('0');
  });
});

describe('status and --wait', () => {
  function runningRun() {
    const aws = fakeWithStacks();
    const execution = addExecution(aws, 'e--r', { expId: 'e', runId: 'r' });
    addJob(aws, {
      jobId: 'a',
      status: 'SUCCEEDED',
      tags: { 'epycloud:stage': 'builder', 'epycloud:run_id': 'r' },
    });
    const children = Array.from({ length: 5 }, (_, i) => ({
      status: i < 3 ? 'SUCCEEDED' : i === 3 ? 'FAILED' : 'RUNNING',
    }));
    addJob(
      aws,
      {
        jobId: 'b',
        status: 'RUNNING',
        tags: { 'epycloud:stage': 'runner', 'epycloud:run_id': 'r' },
        arrayProperties: { size: 5, statusSummary: { SUCCEEDED: 3, FAILED: 1, RUNNING: 1 } },
      },
      children,
    );
    aws.submitted(execution, 'a');
    aws.submitted(execution, 'b');
    addJob(aws, {
      jobId: 'manual',
      status: 'RUNNABLE',
      tags: { 'epycloud:stage': 'output', 'epycloud:exp_id': 'e' },
    });
    return { aws, execution };
  }

  it('reports active runs with Stage B done/failed of N from the array status summary, and other active jobs', async () => {
    const { aws } = runningRun();
    const status = await cloudStatus(aws.clients, DEPLOYMENT, 'e');
    expect(status.runs).toHaveLength(1);
    expect(status.runs[0]?.stages.runner).toEqual({ total: 5, done: 3, failed: 1, running: 1 });
    expect(progressLine(status.runs[0]!)).toBe(
      'RUNNING    A 1/1  B 3 done, 1 failed, 1 running of 5  C 0/0',
    );
    expect(status.otherJobs.map((j) => j.jobId)).toEqual(['manual']);
  });

  it('--wait polls until the end and fails when the execution fails', async () => {
    const { aws, execution } = runningRun();
    const seen: string[] = [];
    const sleep = async () => {
      execution.status = 'FAILED';
    };
    await expect(
      waitForRun(aws.clients, DEPLOYMENT, execution.arn, {
        sleep,
        onProgress: (p) => seen.push(p.execution.status),
      }),
    ).rejects.toThrow(/ended FAILED/);
    expect(seen).toEqual(['RUNNING', 'FAILED']);
    execution.status = 'SUCCEEDED';
    expect(
      (await waitForRun(aws.clients, DEPLOYMENT, execution.arn, { sleep })).stages.runner.total,
    ).toBe(5);
  });
});
