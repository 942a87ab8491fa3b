import { describe, expect, it, vi } from 'vitest';
import { executionInputSchema } from '../../../lib/contract/execution.js';
import { startCloudRun } from '../../../lib/cloud/start-run.js';
import type { ExperimentSource } from '../../../lib/host/experiment-source.js';
import { ConfigError, ValidationError } from '../../../lib/errors.js';
import type { RunLayout } from '../../../lib/contract/layout.js';
import { RunLayout as Layout } from '../../../lib/contract/layout.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { readRunRecord } from '../../../lib/run/run-record.js';
import { S3Driver, Storage } from '../../../lib/storage/index.js';
import { addExecution, DEPLOYMENT, fakeWithStacks } from './fixtures.js';

function tools(numTasks = 3): ExperimentSource & { uploads: string[] } {
  const uploads: string[] = [];
  return {
    uploads,
    validate: vi.fn(async () => ({ numTasks })),
    snapshot: vi.fn(async (_dir: string, storage: Storage, layout: RunLayout) => {
      uploads.push(`${storage.location}/${layout.prefix}`);
      await writeSnapshot(storage, layout, new Map([['config/model.yaml', 'model: {}']]));
    }),
  };
}

/** An experiment folder whose `stages:` config names its own image. */
function ownImage(image: string): ExperimentSource & { uploads: string[] } {
  const t = tools();
  t.validate = vi.fn(async () => ({
    numTasks: undefined,
    stageImage: { image, commands: { runner: ['python3', '/app/stage.py', 'runner'] } },
  }));
  return t;
}

describe('startCloudRun', () => {
  it('validates, uploads the experiment to the run prefix, then starts the execution under its deterministic name', async () => {
    const aws = fakeWithStacks();
    const t = tools(3);
    const run = await startCloudRun(aws.clients, DEPLOYMENT, t, {
      expId: '202605/flu',
      runId: 'r-1',
      experimentDir: '/exp',
      skipOutput: true,
      maxParallelism: 50,
      stages: { runner: { vcpus: 2, memoryMiB: 4096 } },
      imageTag: 'v2',
    });
    expect(t.validate).toHaveBeenCalledWith('/exp', {
      outputConfigFile: undefined,
      referenceDate: undefined,
    });
    expect(t.uploads).toEqual(['s3://epy-bucket/202605/flu/runs/r-1/']);
    expect(run).toMatchObject({
      runId: 'r-1',
      numTasks: 3,
      executionName: run.executionName,
      runPrefix: 's3://epy-bucket/202605/flu/runs/r-1/',
    });
    expect(run.consoleUrl).toContain('eu-west-1.console.aws.amazon.com');
    const [execution] = aws.executions;
    expect(execution?.name).toBe(run.executionName);
    expect(executionInputSchema.parse(JSON.parse(execution?.input ?? ''))).toEqual({
      expId: '202605/flu',
      runId: 'r-1',
      dirPrefix: '',
      skipOutput: true,
      maxParallelism: 50,
      stages: { runner: { vcpus: 2, memoryMiB: 4096 } },
      imageTag: 'v2',
    });
    const storage = new Storage(new S3Driver(aws.clients.s3, DEPLOYMENT.bucketName));
    expect(await readRunRecord(storage, new Layout('202605/flu', 'r-1'))).toMatchObject({
      state: 'started',
      backend: 'cloud',
      runtime: 'batch',
      stageCode: { kind: 'image', image: `${DEPLOYMENT.repositoryUri}:v2` },
      launches: [{ kind: 'start', by: 'unknown' }],
      experiment: { files: [{ path: 'config/model.yaml' }] },
    });
  });

  it('validates with the reference date and output config, and puts them into the execution input', async () => {
    const aws = fakeWithStacks();
    const t = tools();
    const request = {
      expId: 'e',
      runId: 'r',
      experimentDir: '/exp',
      referenceDate: '2024-12-14',
      outputConfigFile: 'o.yaml',
    };
    const run = await startCloudRun(aws.clients, DEPLOYMENT, t, request);
    expect(t.validate).toHaveBeenCalledWith('/exp', {
      referenceDate: '2024-12-14',
      outputConfigFile: 'o.yaml',
    });
    expect(run.input).toMatchObject({ referenceDate: '2024-12-14', outputConfigFile: 'o.yaml' });
    expect(JSON.parse(aws.executions[0]?.input ?? '')).toMatchObject({
      referenceDate: '2024-12-14',
    });
  });

  it('puts cache: false into the execution input and the record with --no-cache', async () => {
    const aws = fakeWithStacks();
    const run = await startCloudRun(aws.clients, DEPLOYMENT, tools(), {
      expId: 'e',
      runId: 'r',
      experimentDir: '/exp',
      noCache: true,
    });
    expect(run.input.cache).toBe(false);
    const storage = new Storage(new S3Driver(aws.clients.s3, DEPLOYMENT.bucketName));
    expect((await readRunRecord(storage, new Layout('e', 'r')))?.cache).toEqual({ enabled: false });
  });

  it('refuses an execution input whose reference date is not a Saturday, naming the field and the value', () => {
    const parsed = executionInputSchema.safeParse({ expId: 'e', referenceDate: '2024-12-13' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['referenceDate'],
      message: '"2024-12-13": it is a Friday: expected a Saturday (2024-12-07 or 2024-12-14)',
    });
  });

  it('generates a run id when none is given', async () => {
    const aws = fakeWithStacks();
    const run = await startCloudRun(aws.clients, DEPLOYMENT, tools(), {
      expId: 'e',
      experimentDir: '/exp',
    });
    expect(run.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{8}$/);
  });

  it('uploads and starts nothing when the experiment is invalid', async () => {
    const aws = fakeWithStacks();
    const t = tools();
    t.validate = async () => {
      throw new ConfigError('bad experiment', [
        'config/model.yaml: model.timespan.delta_t: expected a positive number',
      ]);
    };
    await expect(
      startCloudRun(aws.clients, DEPLOYMENT, t, { expId: 'e', runId: 'r', experimentDir: '/exp' }),
    ).rejects.toThrow(/delta_t/);
    expect(t.uploads).toEqual([]);
    expect(aws.executions).toEqual([]);
  });

  it('refuses a run id that already has an execution, before uploading', async () => {
    const aws = fakeWithStacks();
    addExecution(aws, 'e--r', { expId: 'e', runId: 'r' }, 'SUCCEEDED');
    const t = tools();
    await expect(
      startCloudRun(aws.clients, DEPLOYMENT, t, { expId: 'e', runId: 'r', experimentDir: '/exp' }),
    ).rejects.toThrow(ValidationError);
    expect(t.uploads).toEqual([]);
  });

  it('plans without writing on --dry-run, and stops when the user declines', async () => {
    const aws = fakeWithStacks();
    const t = tools(7);
    const plan = await startCloudRun(aws.clients, DEPLOYMENT, t, {
      expId: 'e',
      runId: 'r',
      experimentDir: '/exp',
      dryRun: true,
    });
    expect(plan).toMatchObject({ dryRun: true, numTasks: 7 });
    await expect(
      startCloudRun(
        aws.clients,
        DEPLOYMENT,
        t,
        { expId: 'e', runId: 'r', experimentDir: '/exp' },
        async () => false,
      ),
    ).rejects.toThrow(/Cancelled/);
    expect(t.uploads).toEqual([]);
    expect(aws.executions).toEqual([]);
  });

  it("runs an experiment's own image: imageUri and every stage's command in the input, the image in the record", async () => {
    const aws = fakeWithStacks();
    const image = `${DEPLOYMENT.repositoryUri}:python-model`;
    const run = await startCloudRun(aws.clients, DEPLOYMENT, ownImage(image), {
      expId: 'e',
      runId: 'r',
      experimentDir: '/exp',
    });
    expect(run).toMatchObject({ numTasks: 0, image });
    const input = executionInputSchema.parse(JSON.parse(aws.executions[0]?.input ?? ''));
    expect(input).toMatchObject({
      imageUri: image,
      commands: {
        builder: ['builder'],
        runner: ['python3', '/app/stage.py', 'runner'],
        output: ['output'],
      },
    });
    expect(input).not.toHaveProperty('imageTag');
    const storage = new Storage(new S3Driver(aws.clients.s3, DEPLOYMENT.bucketName));
    expect((await readRunRecord(storage, new Layout('e', 'r')))?.stageCode).toEqual({
      kind: 'image',
      image,
    });
  });

  it("plans an experiment's own image on --dry-run: the image, no task count", async () => {
    const aws = fakeWithStacks();
    const image = `${DEPLOYMENT.repositoryUri}:my-model-1`;
    const plan = await startCloudRun(aws.clients, DEPLOYMENT, ownImage(image), {
      expId: 'e',
      runId: 'r',
      experimentDir: '/exp',
      dryRun: true,
    });
    expect(plan).toMatchObject({ dryRun: true, numTasks: 0, image });
    expect(plan.input).toMatchObject({ imageUri: image });
    expect(aws.executions).toEqual([]);
  });

  it('refuses --image-tag for an experiment with its own image, naming both, before uploading', async () => {
    const aws = fakeWithStacks();
    const t = ownImage('my-model:1');
    const error = await startCloudRun(aws.clients, DEPLOYMENT, t, {
      expId: 'e',
      runId: 'r',
      experimentDir: '/exp',
      imageTag: 'v7',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/own stage image my-model:1.*--image-tag v7/);
    expect(t.uploads).toEqual([]);
    expect(aws.executions).toEqual([]);
  });

  it('refuses an own image the cloud cannot run (a tag outside the stack repository) before uploading', async () => {
    const aws = fakeWithStacks();
    const t = ownImage('python-model:local');
    const error = await startCloudRun(aws.clients, DEPLOYMENT, t, {
      expId: 'e',
      runId: 'r',
      experimentDir: '/exp',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      new RegExp(`python-model:local.*${DEPLOYMENT.repositoryUri.replaceAll('.', '\\.')}:<tag>`),
    );
    expect(t.uploads).toEqual([]);
    expect(aws.executions).toEqual([]);
    // by digest, another repository is PrepareRun's to allow or refuse (the deployment's list)
    const pinned = `registry.example.org/m@sha256:${'a'.repeat(64)}`;
    await startCloudRun(aws.clients, DEPLOYMENT, ownImage(pinned), {
      expId: 'e',
      runId: 'r2',
      experimentDir: '/exp',
    });
    expect(aws.executions).toHaveLength(1);
  });
});
