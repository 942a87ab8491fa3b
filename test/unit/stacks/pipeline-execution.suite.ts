import { seedManifest } from '../../../lib/rehearsal/seed.js';
import '../../../lib/rehearsal/polyfill.js';
import {
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../lambdas/plan-stage-b/plan.js';
import { prepareRun } from '../../../lambdas/prepare-run/prepare.js';
import { type PrepareConfig } from '../../../lib/contract/lambda-config.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { validateSubmit } from '../../../lib/rehearsal/batch-rules.js';
import { PIPELINE_STATES as S, type PipelineOutput } from '../../../lib/contract/pipeline.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';
import { renderPipelineDefinition } from './support.js';
import type { Fixtures } from './support.js';

type Submit = {
  JobName: string;
  JobDefinition: string;
  ArrayProperties?: { Size: number };
  DependsOn?: { Type: string }[];
  ContainerOverrides: { Environment: { Name: string; Value: string }[] };
  Tags: Record<string, string>;
};

const config: PrepareConfig = {
  bucket: 'data',
  environment: 'dev',
  billingProject: 'default',
  platform: 'fargate',
  repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/epycloud',
  allowedImageRepositories: [],
  resources: {
    builder: { vcpus: 1, memoryMiB: 2048 },
    runner: { vcpus: 1, memoryMiB: 2048 },
    output: { vcpus: 2, memoryMiB: 4096 },
  },
  jobDefinitions: { builder: 'jd-builder:1', runner: 'jd-runner:1', output: 'jd-output:1' },
};

/** The digest `v2` of the stack's repository names (the suite's stand-in ECR holds no other tag). */
const V2_DIGEST = `sha256:${'2'.repeat(64)}`;

/** Job definitions the stand-in knows: the configured ones and the revisions PrepareRun registers (`-new`). */
const KNOWN_JOB_DEFINITIONS = new Set(
  Object.values(config.jobDefinitions).flatMap((arn) => [arn, `${arn}-new`]),
);

/**
 * A Batch stand-in for the submit calls: rejects what Batch rejects (the rehearsal's rules: array size
 * 2..10,000, no AWS_BATCH* overrides, job names, known queue and job definitions, SEQUENTIAL only on arrays).
 */
function submitJob(submitted: Submit[], queues: ReadonlySet<string>) {
  return async (input: Submit) => {
    validateSubmit(input, { queues, jobDefinitions: KNOWN_JOB_DEFINITIONS });
    submitted.push(input);
    return { JobId: `job-${submitted.length}`, JobName: input.JobName, Status: 'SUCCEEDED' };
  };
}

type LocalHandler = NonNullable<
  NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
>[string];
/** Adapts a typed stand-in to the interpreter's JSON-typed handler. */
const local = <I, O>(fn: (input: I) => Promise<O>): LocalHandler => fn as unknown as LocalHandler;

const envOf = (s: Submit) =>
  Object.fromEntries(s.ContainerOverrides.Environment.map((e) => [e.Name, e.Value]));

/** pipelineExecutionSuite: registers its tests; `fixtures` is set by the caller's beforeAll. */
export function pipelineExecutionSuite(fixtures: () => Fixtures): void {
  describe('executing the synthesized state machine (stand-ins for Batch, the real lambda logic)', () => {
    let definition: StateMachineDefinition;
    let queues: ReadonlySet<string>;
    beforeAll(() => {
      definition = renderPipelineDefinition(fixtures().dev)
        .definition as unknown as StateMachineDefinition;
      queues = new Set(JSON.stringify(definition).match(/arn:aws:batch:[^"]+:job-queue\/[^"]+/g));
    });

    async function execute(input: Record<string, unknown>, numTasks: number) {
      const storage = new Storage(new MemoryDriver());
      const submitted: Submit[] = [];
      const registered: string[] = [];
      const submit = submitJob(submitted, queues);
      const machine = new StateMachine(definition, {
        validationOptions: { checkPaths: true, checkArn: true },
      });
      const execution = machine.run(input as Parameters<StateMachine['run']>[0], {
        overrides: {
          taskResourceLocalHandlers: {
            [S.prepare]: local((event: unknown) =>
              prepareRun(event, {
                config,
                registerImage: async (arn, image) => (
                  registered.push(`${arn} ${image}`),
                  `${arn}-new`
                ),
                resolveImageDigest: async (repository, tag) =>
                  tag === 'v2' && repository === 'epycloud' ? V2_DIGEST : undefined,
              }),
            ),
            [S.stageA]: local(async (job: Submit) => {
              const env = envOf(job);
              const layout = new RunLayout(
                env.EXP_ID as string,
                env.RUN_ID as string,
                env.DIR_PREFIX,
              );
              await seedManifest(storage, layout, numTasks);
              return submit(job);
            }),
            [S.plan]: local((event: Parameters<typeof planRun>[0]) =>
              planRun(event, { storage, bucket: config.bucket }),
            ),
            [S.stageBSingle]: local(submit),
            [S.stageBArray]: local(submit),
            [S.stageBPart]: local(submit),
            [S.stageC]: local(submit),
          },
        },
      });
      const entered: string[] = [];
      const events = (async () => {
        for await (const event of execution.eventLogs)
          if (event.type === 'StateEntered') entered.push(event.state.name);
      })();
      const output = await execution.result.then(
        (value) => ({ ok: true as const, value: value as unknown as PipelineOutput }),
        (error: Error) => ({ ok: false as const, error }),
      );
      await events.catch(() => undefined);
      return { output, submitted, registered, entered };
    }

    it('runs N = 3 as one array job and Stage C with NUM_TASKS, in at most 15 transitions, honouring runId', async () => {
      const { output, submitted, entered } = await execute(
        { expId: 'flu/a', runId: 'r-1', outputConfigFile: 'out.yaml', billingProject: 'grant' },
        3,
      );
      expect(output).toEqual({
        ok: true,
        value: {
          expId: 'flu/a',
          runId: 'r-1',
          prefix: 'flu/a/runs/r-1/',
          image: null,
          numTasks: 3,
          jobs: {
            builder: { jobId: 'job-1' },
            runner: { jobIds: ['job-2'] },
            output: { jobId: 'job-3' },
          },
        },
      });
      expect(entered).toEqual([
        S.prepare,
        S.stageA,
        S.plan,
        S.route,
        S.stageBArray,
        S.outputWanted,
        S.stageC,
        S.done,
      ]);
      expect(entered.length).toBeLessThanOrEqual(15);
      const [a, b, c] = submitted as [Submit, Submit, Submit];
      expect(b.ArrayProperties).toEqual({ Size: 3 });
      expect(envOf(b).TASK_INDEX).toBeUndefined();
      expect(envOf(c)).toMatchObject({
        NUM_TASKS: '3',
        OUTPUT_CONFIG_FILE: 'out.yaml',
        RUN_ID: 'r-1',
      });
      expect(a.Tags).toEqual({
        'epycloud:exp_id': 'flu/a',
        'epycloud:run_id': 'r-1',
        'epycloud:stage': 'builder',
        'epycloud:profile': 'dev',
        'epycloud:billing_project': 'grant',
      });
      expect(submitted.map((s) => s.JobName)).toEqual([
        'epycloud-builder-flu-a-r-1',
        'epycloud-runner-flu-a-r-1',
        'epycloud-output-flu-a-r-1',
      ]);
    });

    it('fails N = 0 with a clear cause before Stage B', async () => {
      const { output, submitted } = await execute({ expId: 'flu/a', runId: 'r-0' }, 0);
      expect(output.ok).toBe(false);
      expect(String(output.ok ? '' : output.error.message)).toContain(
        'Stage A (builder) produced 0 tasks for experiment flu/a, run r-0',
      );
      expect(submitted).toHaveLength(1);
    });

    it('runs N = 1 as one plain job with TASK_INDEX 0, and skips Stage C when asked', async () => {
      const { output, submitted, entered } = await execute(
        { expId: 'x', runId: 'r', skipOutput: true },
        1,
      );
      expect(output.ok && output.value.jobs.output).toBeNull();
      expect(submitted[1]?.ArrayProperties).toBeUndefined();
      expect(envOf(submitted[1] as Submit).TASK_INDEX).toBe('0');
      expect(entered).not.toContain(S.stageC);
    });

    it('splits N = 25,000 into array jobs whose offsets cover every index once', async () => {
      const { output, submitted } = await execute({ expId: 'x', runId: 'big' }, 25_000);
      const parts = submitted.filter((s) => s.JobName.includes('-part'));
      expect(
        parts.map((p) => [Number(envOf(p).TASK_INDEX_OFFSET), p.ArrayProperties?.Size]),
      ).toEqual([
        [0, 8334],
        [8334, 8333],
        [16_667, 8333],
      ]);
      expect(output.ok && output.value.jobs.runner?.jobIds).toHaveLength(3);
      expect(envOf(submitted.at(-1) as Submit).NUM_TASKS).toBe('25000');
    });

    it('caps parallelism with sequential lanes', async () => {
      const { submitted } = await execute({ expId: 'x', runId: 'cap', maxParallelism: 2 }, 9);
      const parts = submitted.filter((s) => s.JobName.includes('-part'));
      expect(parts.map((p) => [p.ArrayProperties?.Size, p.DependsOn])).toEqual([
        [5, [{ Type: 'SEQUENTIAL' }]],
        [4, [{ Type: 'SEQUENTIAL' }]],
      ]);
    });

    it('generates a run id when absent, and runs an image override pinned by digest on registered revisions', async () => {
      const { output, submitted, registered } = await execute(
        { expId: 'x', imageTag: 'v2', stages: { runner: { vcpus: 2, memoryMiB: 4096 } } },
        2,
      );
      expect(output.ok && output.value.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{8}$/);
      const pinned = `${config.repositoryUri}@${V2_DIGEST}`;
      expect(registered).toEqual(
        ['jd-builder:1', 'jd-runner:1', 'jd-output:1'].map((arn) => `${arn} ${pinned}`),
      );
      // the run's record: in the execution's output (and PrepareRun's, in its history)
      expect(output.ok && output.value.image).toEqual({
        requested: `${config.repositoryUri}:v2`,
        uri: pinned,
        digest: V2_DIGEST,
      });
      expect(submitted.map((s) => s.JobDefinition)).toEqual([
        'jd-builder:1-new',
        'jd-runner:1-new',
        'jd-output:1-new',
      ]);
      expect(submitted[1]?.ContainerOverrides).toMatchObject({
        ResourceRequirements: [
          { Type: 'VCPU', Value: '2' },
          { Type: 'MEMORY', Value: '4096' },
        ],
      });
    });

    it('rejects a bad execution input before any job', async () => {
      const { output, submitted } = await execute(
        { expId: 'x', maxParallelism: 0, stages: { builder: { vcpus: 3, memoryMiB: 100 } } },
        2,
      );
      expect(output.ok).toBe(false);
      expect(output.ok ? '' : output.error.message).toContain('maxParallelism');
      expect(submitted).toHaveLength(0);
    });

    it('fails in PrepareRun on a tag the repository does not hold, naming it, before registering or submitting anything', async () => {
      const { output, submitted, registered } = await execute({ expId: 'x', imageTag: 'v3' }, 2);
      expect(output.ok ? '' : output.error.message).toContain(
        'Image tag "v3" not found in ECR repository "epycloud"',
      );
      expect(registered).toHaveLength(0);
      expect(submitted).toHaveLength(0);
    });

    it('refuses an image from a repository the deployment does not allow, before registering or submitting anything', async () => {
      const { output, submitted, registered } = await execute(
        { expId: 'x', imageUri: 'registry.example.com/miner:latest' },
        2,
      );
      expect(output.ok ? '' : output.error.message).toContain(
        'which this deployment does not allow',
      );
      expect(registered).toHaveLength(0);
      expect(submitted).toHaveLength(0);
    });
  });
}
