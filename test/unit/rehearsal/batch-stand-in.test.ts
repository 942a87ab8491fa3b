import { describe, expect, it } from 'vitest';
import { BatchStandIn, type BatchStandInOptions } from '../../../lib/rehearsal/batch-stand-in.js';
import type { ContainerLaunch } from '../../../lib/rehearsal/launcher.js';
import { NotFoundError } from '../../../lib/errors.js';

const QUEUE = 'arn:aws:batch:us-east-1:000000000000:job-queue/q';
const DEF = 'arn:aws:batch:us-east-1:000000000000:job-definition/runner:1';

function standIn(
  exitCode: (launch: ContainerLaunch) => number,
  overrides: Partial<BatchStandInOptions> = {},
) {
  const launches: ContainerLaunch[] = [];
  const batch = new BatchStandIn({
    queues: [QUEUE],
    jobDefinitions: [
      {
        arn: DEF,
        environment: { EXECUTION_MODE: 'cloud' },
        retryStrategy: { Attempts: 3 },
        stage: 'runner',
      },
    ],
    concurrency: 2,
    launcher: async (launch) => {
      launches.push(launch);
      await new Promise((r) => setTimeout(r, 1));
      return {
        exitCode: exitCode(launch),
        reason: 'Essential container in task exited',
        logTail: '',
      };
    },
    ...overrides,
  });
  return { batch, launches };
}

const submit = (extra: Record<string, unknown> = {}) => ({
  JobName: 'epycloud-runner-e-r',
  JobQueue: QUEUE,
  JobDefinition: DEF,
  ...extra,
});

describe('BatchStandIn rules', () => {
  it.each([1, 0, 10_001])('rejects array size %i like the Batch API', async (Size) => {
    const { batch } = standIn(() => 0);
    await expect(batch.submitJobSync(submit({ ArrayProperties: { Size } }))).rejects.toMatchObject({
      name: 'Batch.ClientException',
    });
    expect(batch.jobs).toHaveLength(0);
  });

  it('accepts the limits 2 and 10,000', async () => {
    const { batch } = standIn(() => 0, { planOnly: true });
    await expect(
      batch.submitJobSync(submit({ ArrayProperties: { Size: 2 } })),
    ).resolves.toMatchObject({ Status: 'SUCCEEDED' });
    await expect(
      batch.submitJobSync(submit({ ArrayProperties: { Size: 10_000 } })),
    ).resolves.toMatchObject({
      ArrayProperties: { Size: 10_000 },
    });
  });

  it('rejects AWS_BATCH* names in overrides, unknown definitions and bad names', async () => {
    const { batch } = standIn(() => 0);
    const env = {
      ContainerOverrides: { Environment: [{ Name: 'AWS_BATCH_JOB_ARRAY_INDEX', Value: '0' }] },
    };
    await expect(batch.submitJobSync(submit(env))).rejects.toThrow(
      /reserved: AWS_BATCH_JOB_ARRAY_INDEX/,
    );
    await expect(batch.submitJobSync(submit({ JobDefinition: 'nope' }))).rejects.toThrow(
      /Job definition nope does not exist/,
    );
    await expect(batch.submitJobSync(submit({ JobName: 'a/b' }))).rejects.toThrow(
      /Invalid job name/,
    );
    await expect(
      batch.submitJobSync(submit({ DependsOn: [{ Type: 'SEQUENTIAL' }] })),
    ).rejects.toThrow(/only valid for an array job/);
  });

  it('sets AWS_BATCH_JOB_ARRAY_INDEX only in array children, and merges definition and override variables', async () => {
    const { batch, launches } = standIn(() => 0);
    await batch.submitJobSync(
      submit({ ContainerOverrides: { Environment: [{ Name: 'TASK_INDEX', Value: '0' }] } }),
    );
    await batch.submitJobSync(submit({ ArrayProperties: { Size: 3 } }));
    expect(launches[0]?.env).toMatchObject({ EXECUTION_MODE: 'cloud', TASK_INDEX: '0' });
    expect(launches[0]?.env.AWS_BATCH_JOB_ARRAY_INDEX).toBeUndefined();
    expect(
      launches
        .slice(1)
        .map((l) => l.env.AWS_BATCH_JOB_ARRAY_INDEX)
        .sort(),
    ).toEqual(['0', '1', '2']);
  });
});

describe('BatchStandIn job definition revisions (RegisterJobDefinition)', () => {
  const RUNNER = 'arn:aws:batch:us-east-1:000000000000:job-definition/runner';

  it('registers the next revision with the image and command, which SubmitJob accepts and the container runs', async () => {
    const { batch, launches } = standIn(() => 0, {
      jobDefinitions: [
        { arn: DEF, environment: { EXECUTION_MODE: 'cloud' }, stage: 'runner', command: ['node'] },
      ],
    });
    await expect(batch.submitJobSync(submit({ JobDefinition: `${RUNNER}:2` }))).rejects.toThrow(
      /does not exist/,
    );
    const image = `repo@sha256:${'a'.repeat(64)}`;
    const second = await batch.registerRevision(DEF, image, ['python3', 'run.py', 'runner']);
    expect(second).toBe(`${RUNNER}:2`);
    await batch.submitJobSync(submit({ JobDefinition: second }));
    expect(launches[0]).toMatchObject({
      stage: 'runner',
      image,
      command: ['python3', 'run.py', 'runner'],
      env: { EXECUTION_MODE: 'cloud' },
    });
    expect(batch.jobs[0]).toMatchObject({ image, command: ['python3', 'run.py', 'runner'] });
    // revisions of one name count up from the newest; the deployed one stays as it was
    expect(await batch.registerRevision(DEF, undefined, ['other'])).toBe(`${RUNNER}:3`);
    await batch.submitJobSync(submit({ JobDefinition: `${RUNNER}:3` }));
    await batch.submitJobSync(submit());
    expect(launches.slice(1).map((l) => [l.image, l.command])).toEqual([
      [undefined, ['other']],
      [undefined, ['node']],
    ]);
  });

  it('refuses a revision of a job definition it does not have', async () => {
    const { batch } = standIn(() => 0);
    await expect(batch.registerRevision(`${RUNNER}x:1`, 'img')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('BatchStandIn retries and failures', () => {
  it('retries a failed child up to the strategy attempts and succeeds', async () => {
    let failures = 1;
    const { batch } = standIn((l) =>
      l.env.AWS_BATCH_JOB_ARRAY_INDEX === '1' && failures-- > 0 ? 1 : 0,
    );
    const result = await batch.submitJobSync(submit({ ArrayProperties: { Size: 3 } }));
    expect(result).toMatchObject({
      Status: 'SUCCEEDED',
      ArrayProperties: { StatusSummary: { SUCCEEDED: 3, FAILED: 0 } },
    });
    expect(batch.jobs[0]?.attempts.filter((a) => a.index === 1).map((a) => a.exitCode)).toEqual([
      1, 0,
    ]);
  });

  it('fails with States.TaskFailed when attempts run out, with the job description as cause', async () => {
    const { batch, launches } = standIn((l) => (l.env.AWS_BATCH_JOB_ARRAY_INDEX === '0' ? 3 : 0));
    const error = await batch
      .submitJobSync(submit({ ArrayProperties: { Size: 2 } }))
      .catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'States.TaskFailed' });
    expect(JSON.parse((error as Error).message)).toMatchObject({
      Status: 'FAILED',
      ArrayProperties: { StatusSummary: { FAILED: 1, SUCCEEDED: 1 } },
    });
    expect(launches.filter((l) => l.env.AWS_BATCH_JOB_ARRAY_INDEX === '0')).toHaveLength(3);
  });

  it('follows EvaluateOnExit: EXIT on a matching exit code stops retrying', async () => {
    const { batch, launches } = standIn(() => 2);
    const strategy = {
      Attempts: 5,
      EvaluateOnExit: [
        { OnExitCode: '2', Action: 'EXIT' },
        { OnReason: '*', Action: 'RETRY' },
      ],
    };
    await expect(batch.submitJobSync(submit({ RetryStrategy: strategy }))).rejects.toMatchObject({
      name: 'States.TaskFailed',
    });
    expect(launches).toHaveLength(1);
  });

  it('runs SEQUENTIAL children one after another, and stops at the first failure', async () => {
    const { batch, launches } = standIn((l) => (l.env.AWS_BATCH_JOB_ARRAY_INDEX === '2' ? 1 : 0), {
      jobDefinitions: [{ arn: DEF, environment: {}, stage: 'runner' }],
    });
    await expect(
      batch.submitJobSync(
        submit({ ArrayProperties: { Size: 4 }, DependsOn: [{ Type: 'SEQUENTIAL' }] }),
      ),
    ).rejects.toThrow();
    expect(launches.map((l) => l.env.AWS_BATCH_JOB_ARRAY_INDEX)).toEqual(['0', '1', '2']);
  });

  it('terminates running and queued containers', async () => {
    const { batch, launches } = standIn(() => 0, {
      launcher: (launch) =>
        new Promise((resolve) => {
          launches.push(launch);
          launch.signal.addEventListener('abort', () =>
            resolve({ exitCode: 143, reason: 'Job terminated', logTail: '' }),
          );
        }),
    });
    const job = batch.submitJobSync(submit({ ArrayProperties: { Size: 10 } }));
    await new Promise((r) => setTimeout(r, 5));
    batch.terminateAll();
    await expect(job).rejects.toThrow(/Job terminated/);
    expect(launches).toHaveLength(2);
  });
});
