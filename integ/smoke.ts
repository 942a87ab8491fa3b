/**
 * The deploy smoke test (docs/DEPLOY.md, "Deploy smoke test"): the real epycloud stacks of a dev
 * deployment under the stack prefix `EpycloudInteg`, and an `IntegTest` whose assertions run a
 * two-task experiment through the deployed state machine. It costs money: CI never runs it
 * (`npm run integ` does, on purpose).
 *
 * Two phases, chosen with `-c epycloud-integ:phase=initial|update`, deploy the same stacks:
 * - `initial`: uploads the experiment snapshot of run `a-<tag>` (the repository's own
 *   `writeSnapshot`, as `epycloud run workflow` writes it), starts the execution with the input
 *   `epycloud run workflow` would start it with, waits for SUCCEEDED and checks that
 *   `outputs/<stamp>/index.json` exists. It also starts run `r-<tag>` and stops it at once
 *   (ABORTED), for the next phase to retry.
 * - `update`: the runner's job definition grows (2048 -> 4096 MiB, a new revision in place);
 *   the assertions retry the aborted run as `epycloud workflow retry` does (a new execution
 *   `<name>-retry-<stamp>` with the same input, which takes the new revisions), wait for SUCCEEDED
 *   and check its outputs.
 *
 * Every check waits (`waitForAssertions`), so a failed check fails the deployment, whether the
 * CDK CLI (scripts/integ-smoke.sh) or integ-runner deploys it.
 */
import { AwsApiCall, ExpectedResult, IntegTest, type IApiCall } from '@aws-cdk/integ-tests-alpha';
import { Duration, Stack, type App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDeploymentConfig } from '../lib/config/load.js';
import { buildExecutionInput, type ExecutionInput } from '../lib/contract/execution.js';
import { RunLayout } from '../lib/contract/layout.js';
import { executionName } from '../lib/cloud/names.js';
import { retryExecutionName } from '../lib/cloud/workflows.js';
import { NotFoundError } from '../lib/errors.js';
import { readExperimentDir, validateExperimentDir } from '../lib/experiment/snapshot.js';
import { writeSnapshot } from '../lib/run/experiment-snapshot.js';
import { createEpycloudStacks, type EpycloudStacks } from '../lib/stacks/epycloud-app.js';
import { Storage } from '../lib/storage/index.js';
import type { StorageDriver } from '../lib/storage/types.js';

/** Stack names `EpycloudInteg-Storage`, ...; pass `--stack-prefix EpycloudInteg` to the CLI. */
export const INTEG_STACK_PREFIX = 'EpycloudInteg';
/** The assertion stack's name: under the prefix, so `cdk destroy --all` and cleanup find it. */
export const INTEG_ASSERTION_STACK = `${INTEG_STACK_PREFIX}-Assertions`;
/** The experiment: `integ/local/forecast/experiments/integ-smoke/` (N = 2). */
export const INTEG_EXP_ID = 'integ-smoke';
/** The CLI's `--local-dir` for that experiment (`EPYCLOUD_LOCAL_DIR=integ/local`). */
export const INTEG_LOCAL_DIR = fileURLToPath(new URL('./local/', import.meta.url));
/** The experiment folder on this machine. */
const EXPERIMENT_DIR = `${INTEG_LOCAL_DIR}forecast/experiments/${INTEG_EXP_ID}`;
/** Tasks the experiment must yield; synth fails otherwise. */
export const INTEG_NUM_TASKS = 2;

/** CDK context keys of the smoke test. */
export const INTEG_CONTEXT = {
  /** `initial` (default) or `update`. */
  phase: 'epycloud-integ:phase',
  /** Distinguishes the run ids of one smoke session from another's: `[A-Za-z0-9-]`, default `smoke`. */
  tag: 'epycloud-integ:tag',
} as const;

export const SMOKE_PHASES = ['initial', 'update'] as const;
export type SmokePhase = (typeof SMOKE_PHASES)[number];

/** The runner's memory per phase: the update registers a new revision of its job definition. */
export const RUNNER_MEMORY_MIB: Readonly<Record<SmokePhase, number>> = {
  initial: 2048,
  update: 4096,
};

/** How long a run may take (Fargate Spot start, three stages) before its check fails. */
const RUN_TIMEOUT = Duration.minutes(30);
const RUN_POLL = Duration.seconds(30);
/** How long a check of something already there may take (S3 listing, an aborted status). */
const CHECK_TIMEOUT = Duration.minutes(3);
const CHECK_POLL = Duration.seconds(10);

/**
 * cdk.json's feature flags (`@aws-cdk/...`): the CDK CLI passes them from cdk.json, integ-runner
 * does not read cdk.json, so the smoke app sets them itself (as post-CLI context).
 */
export function cdkJsonFeatureFlags(projectRoot: string): Record<string, unknown> {
  const { context } = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return Object.fromEntries(Object.entries(context).filter(([key]) => key.startsWith('@aws-cdk/')));
}

/** The `epycloud:environments.dev` settings of the smoke deployment in a phase. */
export function smokeEnvironment(phase: SmokePhase): Record<string, unknown> {
  return {
    stackPrefix: INTEG_STACK_PREFIX,
    // No image is pushed before the assertions run: `cdk deploy` builds docker/Dockerfile target cloud.
    image: { source: 'asset' },
    // The built-in runner (1 vCPU, 180 minutes) with the phase's memory; a stage is set whole.
    stages: { runner: { vcpus: 1, memoryMiB: RUNNER_MEMORY_MIB[phase], timeoutMinutes: 180 } },
  };
}

/** The phase from CDK context; `initial` when absent. */
function phaseOf(app: App): SmokePhase {
  const value: unknown = app.node.tryGetContext(INTEG_CONTEXT.phase) ?? 'initial';
  if (!SMOKE_PHASES.includes(value as SmokePhase))
    throw new Error(
      `CDK context ${INTEG_CONTEXT.phase} must be one of ${SMOKE_PHASES.join(', ')}, got ${JSON.stringify(value)}`,
    );
  return value as SmokePhase;
}

/** The run-id tag from CDK context; `smoke` when absent. */
function tagOf(app: App): string {
  const value: unknown = app.node.tryGetContext(INTEG_CONTEXT.tag) ?? 'smoke';
  if (typeof value !== 'string' || !/^[A-Za-z0-9-]{1,40}$/.test(value))
    throw new Error(
      `CDK context ${INTEG_CONTEXT.tag} must be 1 to 40 characters of [A-Za-z0-9-], got ${JSON.stringify(value)}`,
    );
  return value;
}

/** One object the snapshot upload writes, in order. */
export interface SnapshotObject {
  readonly key: string;
  readonly body: string;
  readonly contentType: string;
}

/** A storage driver that only records what is written (the snapshot's files, then its manifest). */
class RecordingDriver implements StorageDriver {
  readonly location = 'memory://integ-smoke';
  readonly written: SnapshotObject[] = [];

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    this.written.push({ key, body: Buffer.from(body).toString('utf8'), contentType });
  }
  async putStream(): Promise<void> {
    throw new Error('the snapshot is written with put only');
  }
  async get(key: string): Promise<Uint8Array> {
    throw new NotFoundError(key, this.location);
  }
  async exists(): Promise<boolean> {
    return false;
  }
  async list(): Promise<string[]> {
    return [];
  }
  async delete(): Promise<void> {}
}

/** The objects of a run's experiment snapshot, in write order (manifest last), as the CLI uploads them. */
export async function snapshotObjects(layout: RunLayout): Promise<SnapshotObject[]> {
  const driver = new RecordingDriver();
  const files = await readExperimentDir(EXPERIMENT_DIR);
  await writeSnapshot(new Storage(driver), layout, files);
  return driver.written;
}

/** One run the assertions start. */
export interface SmokeRun {
  readonly runId: string;
  readonly layout: RunLayout;
  readonly input: ExecutionInput;
  /** The execution name the CLI would give it (`<expId>--<runId>`). */
  readonly executionName: string;
}

function smokeRun(runId: string): SmokeRun {
  return {
    runId,
    layout: new RunLayout(INTEG_EXP_ID, runId),
    input: buildExecutionInput({ expId: INTEG_EXP_ID }, runId),
    executionName: executionName(INTEG_EXP_ID, runId),
  };
}

/** What {@link buildSmokeTest} created, for the unit test. */
export interface SmokeTest {
  readonly phase: SmokePhase;
  readonly stacks: EpycloudStacks;
  readonly assertionStack: Stack;
  readonly test: IntegTest;
  /** The run checked end to end in this phase (`a-<tag>`, or in `update` the retry of `r-<tag>`). */
  readonly checkedRun: SmokeRun;
  /** The execution name the phase waits on to succeed. */
  readonly checkedExecution: string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lets a call (and its waiter) list the bucket: the SDK name ListObjectsV2 is not an IAM action. */
function allowList(call: IApiCall, bucketArn: string): void {
  const statement = { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn] };
  call.provider.addToRolePolicy(statement);
  if (call instanceof AwsApiCall) call.waiterProvider?.addToRolePolicy(statement);
}

/**
 * Adds the smoke test to `app`: the four epycloud stacks (dev, prefix `EpycloudInteg`, image built
 * by `cdk deploy`), the assertion stack, and the phase's assertions. The caller synthesizes.
 */
export async function buildSmokeTest(
  app: App,
  options: {
    /** Repository root (lambda entries, Docker build context). */
    readonly projectRoot: string;
    /** Account and region (`CDK_DEFAULT_*`); environment-agnostic stacks when absent. */
    readonly defaultEnv?: {
      readonly account?: string | undefined;
      readonly region?: string | undefined;
    };
  },
): Promise<SmokeTest> {
  const phase = phaseOf(app);
  const tag = tagOf(app);
  const { numTasks } = await validateExperimentDir(EXPERIMENT_DIR);
  if (numTasks !== INTEG_NUM_TASKS)
    throw new Error(`${EXPERIMENT_DIR} yields ${numTasks} tasks; the smoke test needs N = 2`);

  // The smoke deployment's own settings, whatever cdk.json holds for dev.
  const context: Record<string, unknown> = {
    'epycloud:env': 'dev',
    'epycloud:environments': { dev: smokeEnvironment(phase) },
  };
  const config = loadDeploymentConfig((key) => context[key]);
  const env = { account: options.defaultEnv?.account, region: options.defaultEnv?.region };
  const stacks = createEpycloudStacks(app, config, {
    projectRoot: options.projectRoot,
    defaultEnv: env,
  });
  // Same environment as the stacks it references (cross-stack references need one).
  const assertionStack = new Stack(app, INTEG_ASSERTION_STACK, {
    stackName: INTEG_ASSERTION_STACK,
    env,
    description: 'epycloud deploy smoke test: assertions (docs/DEPLOY.md)',
  });
  const test = new IntegTest(app, 'EpycloudIntegSmoke', {
    testCases: [stacks.storage, stacks.compute, stacks.pipeline, stacks.monitoring],
    assertionStack,
    // The update is the `update` phase (a second deploy with other context), not a committed snapshot.
    stackUpdateWorkflow: false,
    diffAssets: false,
    cdkCommandOptions: { destroy: { args: { force: true } } },
  });
  const assertions = test.assertions;
  const bucketName = stacks.storage.bucket.bucketName;
  const bucketArn = stacks.storage.bucket.bucketArn;
  const stateMachineArn = stacks.pipeline.stateMachine.stateMachineArn;

  /** Uploads the run's snapshot, manifest last; returns the last upload. */
  const upload = async (run: SmokeRun): Promise<IApiCall> => {
    const calls = (await snapshotObjects(run.layout)).map((object) =>
      assertions.awsApiCall('S3', 'putObject', {
        Bucket: bucketName,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
      }),
    );
    return calls.reduce((previous, next) => previous.next(next));
  };
  const start = (run: SmokeRun, name: string): IApiCall =>
    assertions.awsApiCall('StepFunctions', 'startExecution', {
      stateMachineArn,
      name,
      input: JSON.stringify(run.input),
    });
  const waitForStatus = (
    started: IApiCall,
    status: string,
    timeout: Duration,
    interval: Duration,
  ): IApiCall =>
    assertions
      .awsApiCall('StepFunctions', 'describeExecution', {
        executionArn: started.getAttString('executionArn'),
      })
      .assertAtPath('status', ExpectedResult.exact(status))
      .waitForAssertions({ totalTimeout: timeout, interval });
  /** After `after`: `outputs/<stamp>/index.json` exists (the first output folder, then its index). */
  const expectOutputIndex = (after: IApiCall, run: SmokeRun): IApiCall => {
    const folders = assertions
      .awsApiCall('S3', 'listObjectsV2', {
        Bucket: bucketName,
        Prefix: run.layout.outputsPrefix,
        Delimiter: '/',
      })
      .assertAtPath(
        'CommonPrefixes.0.Prefix',
        ExpectedResult.stringLikeRegexp(
          `^${escapeRegExp(run.layout.outputsPrefix)}\\d{8}-\\d{6}/$`,
        ),
      )
      .waitForAssertions({ totalTimeout: CHECK_TIMEOUT, interval: CHECK_POLL });
    allowList(folders, bucketArn);
    after.next(folders);
    const index = assertions
      .awsApiCall('S3', 'listObjectsV2', {
        Bucket: bucketName,
        Prefix: `${folders.getAttString('CommonPrefixes.0.Prefix')}index.json`,
      })
      .assertAtPath('KeyCount', ExpectedResult.exact(1))
      .waitForAssertions({ totalTimeout: CHECK_TIMEOUT, interval: CHECK_POLL });
    allowList(index, bucketArn);
    return index;
  };

  const runA = smokeRun(`a-${tag}`);
  const runR = smokeRun(`r-${tag}`);
  let checkedRun: SmokeRun;
  let checkedExecution: string;
  if (phase === 'initial') {
    // Run a-<tag>: upload, start, SUCCEEDED, outputs.
    const startedA = start(runA, runA.executionName);
    (await upload(runA)).next(startedA);
    expectOutputIndex(waitForStatus(startedA, 'SUCCEEDED', RUN_TIMEOUT, RUN_POLL), runA);
    // Run r-<tag>: upload, start, stop at once (ABORTED), for the update phase to retry.
    const startedR = start(runR, runR.executionName);
    (await upload(runR)).next(startedR);
    const stopped = assertions.awsApiCall('StepFunctions', 'stopExecution', {
      executionArn: startedR.getAttString('executionArn'),
      cause: 'epycloud deploy smoke test: stopped on purpose, retried after the update',
    });
    startedR.next(stopped).next(waitForStatus(startedR, 'ABORTED', CHECK_TIMEOUT, CHECK_POLL));
    checkedRun = runA;
    checkedExecution = runA.executionName;
  } else {
    // `epycloud workflow retry`: a new execution of the same run, same input; it takes the new revisions.
    checkedExecution = retryExecutionName(runR.executionName, new Date());
    const retried = start(runR, checkedExecution);
    expectOutputIndex(waitForStatus(retried, 'SUCCEEDED', RUN_TIMEOUT, RUN_POLL), runR);
    checkedRun = runR;
  }
  return { phase, stacks, assertionStack, test, checkedRun, checkedExecution };
}
