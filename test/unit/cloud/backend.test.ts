import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { StageError } from '../../../lib/errors.js';
import { S3Driver, Storage } from '../../../lib/storage/index.js';
import { createCloudBackend } from '../../../lib/cloud/backend.js';
import {
  type CloudBackendConfig,
  type CloudWorkflowExtras,
} from '../../../lib/cloud/backend-options.js';
import type { ProgressEvent, WorkflowOptions } from '../../../lib/backend/types.js';
import { addExecution, addJob, DEPLOYMENT, fakeWithStacks } from './fixtures.js';
import type { FakeAws } from './fake-aws.js';

const paths = {
  projectRoot: '/p',
  localDir: '/p/local',
  experimentsDir: '/p/local/forecast/experiments',
  bucketDir: '/p/local/bucket',
};

function backend(aws: FakeAws, confirm: CloudBackendConfig['confirm'] = async () => true) {
  const uploaded: string[] = [];
  const b = createCloudBackend({
    target: {},
    paths,
    confirm,
    clients: aws.clients,
    pollMs: 1,
    experiments: {
      validate: async () => ({ numTasks: 2 }),
      snapshot: async (dir, storage, layout) => {
        uploaded.push(dir);
        await writeSnapshot(storage, layout, new Map([['config/model.yaml', 'model: {}']]));
      },
    },
  });
  return { b, uploaded };
}

const options = { expId: 'flu', runId: 'r1', parallelism: 1, retries: 0 };

describe('cloud back end', () => {
  it('starts a run from the local experiment folder and reports run id, prefix and console link', async () => {
    const aws = fakeWithStacks();
    const { b, uploaded } = backend(aws);
    const notes: ProgressEvent[] = [];
    const result = await b.runWorkflow({ ...options, yes: true }, (e) => notes.push(e));
    expect(uploaded).toEqual(['/p/local/forecast/experiments/flu']);
    expect(result).toMatchObject({
      status: 'started',
      backend: 'cloud',
      runId: 'r1',
      numTasks: 2,
      outputs: 's3://epy-bucket/flu/runs/r1/',
    });
    expect(result.logs).toMatch(
      /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/states\/.*execution:Pipeline:flu--r1$/,
    );
    expect(notes[0]).toMatchObject({ type: 'note' });
  });

  it('asks before spending money unless --yes, and stops on no', async () => {
    const aws = fakeWithStacks();
    const questions: string[] = [];
    const { b, uploaded } = backend(aws, async (q) => {
      questions.push(q);
      return false;
    });
    await expect(b.runWorkflow(options, () => {})).rejects.toThrow(/Cancelled/);
    expect(questions[0]).toMatch(/Start cloud run r1 of flu \(2 task\(s\)\)/);
    expect(uploaded).toEqual([]);
  });

  it("plans and asks with the experiment's own image instead of a task count", async () => {
    const aws = fakeWithStacks();
    const image = `${DEPLOYMENT.repositoryUri}:my-model-1`;
    const questions: string[] = [];
    const b = createCloudBackend({
      target: {},
      paths,
      confirm: async (q) => (questions.push(q), false),
      clients: aws.clients,
      experiments: {
        validate: async () => ({ numTasks: undefined, stageImage: { image } }),
        snapshot: async () => undefined,
      },
    });
    const plan = await b.runWorkflow({ ...options, dryRun: true }, () => {});
    expect(plan).toMatchObject({ status: 'planned', numTasks: 0, image });
    await expect(b.runWorkflow(options, () => {})).rejects.toThrow(/Cancelled/);
    expect(questions[0]).toBe(
      `Start cloud run r1 of flu (stages in image ${image}) on ${DEPLOYMENT.stateMachineArn}?`,
    );
  });

  it('--wait reports Stage B progress and fails when the execution fails', async () => {
    const aws = fakeWithStacks();
    const { b } = backend(aws);
    const notes: string[] = [];
    const waiting: WorkflowOptions & CloudWorkflowExtras = { ...options, yes: true, wait: true };
    const running = b.runWorkflow(waiting, (e) => {
      if (e.type !== 'note') return;
      notes.push(e.message);
      const execution = aws.executions[0];
      if (execution && notes.length === 2) {
        addJob(aws, {
          jobId: 'b',
          status: 'FAILED',
          tags: { 'epycloud:stage': 'runner' },
          arrayProperties: { size: 2, statusSummary: { SUCCEEDED: 1, FAILED: 1 } },
        });
        aws.submitted(execution, 'b');
        execution.status = 'FAILED';
      }
    });
    const result = await running;
    expect(result.status).toBe('failed');
    expect(result.failure).toMatch(/ended FAILED/);
    expect(notes.at(-1)).toContain('B 1 done, 1 failed, 0 running of 2');
    const record = JSON.parse(Buffer.from(aws.objects.get('flu/runs/r1/run.json')!).toString());
    expect(record).toMatchObject({ state: 'failed', failure: expect.stringMatching(/FAILED/) });
    expect(record.endedAt).toEqual(expect.any(String));
  });

  it('refuses --resume with the cloud equivalent named', async () => {
    await expect(
      backend(fakeWithStacks()).b.runWorkflow({ ...options, resume: 'r0' }, () => {}),
    ).rejects.toThrow(/epycloud workflow retry/);
  });

  it('submits one Batch job for run job', async () => {
    const aws = fakeWithStacks();
    const result = await backend(aws).b.runJob(
      { expId: 'flu', runId: 'r1', stage: 'output', numTasks: 3, parallelism: 1, retries: 0 },
      () => {},
    );
    expect(result.status).toBe('started');
    expect(result.logs).toMatch(/^Batch job job-1 \(epycloud-output-flu-r1\)/);
  });

  it('refuses run job for a run of an experiment with its own image (the deployed definitions run the built-in one), submitting nothing', async () => {
    const aws = fakeWithStacks();
    const { b } = backend(aws);
    const storage = new Storage(new S3Driver(aws.clients.s3, DEPLOYMENT.bucketName));
    await writeSnapshot(
      storage,
      new RunLayout('flu', 'r1'),
      new Map([['config/stages.yaml', 'stages:\n  image: m:1\n']]),
    );
    await expect(b.runJob({ ...options, stage: 'output', numTasks: 3 }, () => {})).rejects.toThrow(
      /runs in its own stage image m:1.*epycloud workflow retry/s,
    );
    expect(aws.calls.filter((c) => c.api === 'SubmitJob')).toEqual([]);
  });

  it("stops run job on a snapshot it cannot read, never taking it for the built-in engine's", async () => {
    const aws = fakeWithStacks();
    const { b } = backend(aws);
    const storage = new Storage(new S3Driver(aws.clients.s3, DEPLOYMENT.bucketName));
    const layout = new RunLayout('flu', 'r1');
    await writeSnapshot(
      storage,
      layout,
      new Map([['config/stages.yaml', 'stages:\n  image: m:1\n']]),
    );
    await storage.put(layout.experimentFile('config/stages.yaml'), 'stages:\n  image: m:2\n');
    await expect(b.runJob({ ...options, stage: 'output', numTasks: 3 }, () => {})).rejects.toThrow(
      StageError,
    );
    expect(aws.calls.filter((c) => c.api === 'SubmitJob')).toEqual([]);
  });

  it('groups log lines into one entry per task attempt, and reports active runs in status', async () => {
    const aws = fakeWithStacks();
    const execution = addExecution(aws, 'flu--r1', { expId: 'flu', runId: 'r1' });
    const attempt = (stream: string) => ({ container: { logStreamName: stream } });
    addJob(
      aws,
      {
        jobId: 'b',
        status: 'RUNNING',
        tags: { 'epycloud:stage': 'runner' },
        arrayProperties: { size: 2, statusSummary: { SUCCEEDED: 1, RUNNING: 1 } },
      },
      [
        { status: 'SUCCEEDED', attempts: [attempt('s0')] },
        { status: 'RUNNING', attempts: [attempt('s1a'), attempt('s1b')] },
      ],
    );
    aws.submitted(execution, 'b');
    for (const [stream, t] of [
      ['s0', 1],
      ['s1a', 2],
      ['s1b', 3],
    ] as const)
      aws.logStreams.set(`${DEPLOYMENT.logGroupName}/${stream}`, [
        { timestamp: t, message: `${stream} says hi` },
      ]);
    const entries = await backend(aws).b.logs({ expId: 'flu', runId: 'r1' });
    expect(entries.map((e) => [e.stage, e.taskIndex, e.text])).toEqual([
      ['runner', 0, 's0 says hi\n'],
      ['runner', 1, 's1a says hi\n'],
      ['runner', 1, 's1b says hi\n'],
    ]);
    expect(entries[2]?.location).toBe(`${DEPLOYMENT.logGroupName} (attempt 2)`);
    const report = await backend(aws).b.status({ expId: 'flu' });
    expect(report.facts.find((f) => f.label === 'flu--r1')?.value).toContain(
      'B 1 done, 0 failed, 1 running of 2',
    );
  });
});
