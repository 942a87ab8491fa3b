import './polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { createHash } from 'node:crypto';
import { planRun } from '../../lambdas/plan-stage-b/plan.js';
import { prepareRun, type ResolveImageDigest } from '../../lambdas/prepare-run/prepare.js';
import { reportErrors } from '../../lambdas/shared/handler-errors.js';
import { buildExecutionInput, type ExecutionRequest } from '../contract/execution.js';
import { recordCloudRunEnd, recordCloudRunStart } from '../run/launch-record.js';
import { newRunId } from '../contract/ids.js';
import { RunLayout } from '../contract/layout.js';
import { PIPELINE_STATES } from '../contract/pipeline.js';
import { ConfigError } from '../errors.js';
import type { ExperimentSource } from '../host/experiment-source.js';
import { createS3Client, S3Driver, Storage } from '../storage/index.js';
import { allStates, forInterpreter, noRetryWaits, type AslMachine } from './asl.js';
import { BatchStandIn, type JobRecord } from './batch-stand-in.js';
import type { ContainerLauncher } from './launcher.js';
import { seedManifest } from './seed.js';
import type { RehearsalStack } from './stack-reader.js';

/** One event of the interpreter's execution log. */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** Resource of Step Functions' Batch integration that waits for the job. */
const SUBMIT_JOB_SYNC = 'arn:aws:states:::batch:submitJob.sync';

/** What to rehearse: a cloud run request, or (planning only) a run whose manifest says N tasks. */
export type RehearsalRequest = ExecutionRequest & {
  readonly runId?: string | undefined;
  readonly experimentDir?: string | undefined;
  /** Plan only: write a manifest of N tasks instead of running Stage A, run no container. */
  readonly planOnlyTasks?: number | undefined;
  /** Write a manifest of N tasks instead of uploading an experiment; containers still run (benchmarks with stand-in containers). */
  readonly seedTasks?: number | undefined;
  /** Who started it (`user@host`), for the run record. */
  readonly launchedBy?: string | undefined;
};

/** Where and how the rehearsal runs. */
export interface RehearsalOptions {
  readonly stack: RehearsalStack;
  /** Environment that points the AWS SDK at the S3-compatible server holding the stack's bucket. */
  readonly s3Env: Readonly<Record<string, string>>;
  readonly launcher: ContainerLauncher;
  readonly experiments?: ExperimentSource | undefined;
  readonly concurrency?: number | undefined;
  readonly extraEnv?: Readonly<Record<string, string>> | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onEvent?: ((event: EventLog) => void) | undefined;
}

/** How a rehearsal ended. */
export interface RehearsalResult {
  readonly status: 'succeeded' | 'failed' | 'aborted';
  readonly expId: string;
  readonly runId: string;
  readonly numTasks: number | undefined;
  /** States entered plus retries: what Step Functions bills as state transitions. */
  readonly stateTransitions: number;
  readonly statesEntered: readonly string[];
  readonly error?: string;
  readonly cause?: string;
  readonly output?: unknown;
  readonly jobs: readonly JobRecord[];
  readonly durationMs: number;
}

/** Stand-ins of the lambda Task states, by state name. */
type Handlers = Record<string, (input: unknown) => Promise<unknown>>;

function taskHandlers(definition: AslMachine, handlers: Handlers, batch: BatchStandIn) {
  type Handler = NonNullable<
    NonNullable<Parameters<StateMachine['run']>[1]>['overrides']
  >['taskResourceLocalHandlers'];
  const out: NonNullable<Handler> = {};
  for (const [name, state] of allStates(definition).filter(([, s]) => s.Type === 'Task')) {
    const handler = state.Resource === SUBMIT_JOB_SYNC ? batch.submitJobSync : handlers[name];
    if (handler === undefined)
      throw new ConfigError(
        `The rehearsal has no stand-in for Task state ${name} (${state.Resource})`,
      );
    out[name] = handler as unknown as NonNullable<Handler>[string];
  }
  return out;
}

async function prepareStorage(
  request: RehearsalRequest,
  options: RehearsalOptions,
  storage: Storage,
  layout: RunLayout,
): Promise<void> {
  const seeded = request.planOnlyTasks ?? request.seedTasks;
  if (seeded !== undefined) return seedManifest(storage, layout, seeded);
  if (request.experimentDir === undefined || options.experiments === undefined)
    throw new ConfigError('A rehearsal needs the experiment folder');
  await options.experiments.validate(request.experimentDir, {
    outputConfigFile: request.outputConfigFile,
    referenceDate: request.referenceDate,
  });
  await options.experiments.snapshot(request.experimentDir, storage, layout);
}

/** How the interpreter's execution ended, and what its event log said. */
interface Execution {
  readonly output: unknown;
  readonly error: (Error & { cause?: { name?: string; message?: string } }) | undefined;
  readonly log: Awaited<ReturnType<typeof collectEvents>>;
}

/** Runs the definition in the interpreter with the stand-ins; a signal aborts it and terminates the containers. */
async function execute(
  definition: AslMachine,
  input: unknown,
  handlers: Handlers,
  batch: BatchStandIn,
  options: RehearsalOptions,
): Promise<Execution> {
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: taskHandlers(definition, handlers, batch),
      retryIntervalOverrides: noRetryWaits(definition),
    },
    noThrowOnAbort: true,
  });
  const onAbort = (): void => {
    batch.terminateAll();
    execution.abort();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const events = collectEvents(execution.eventLogs, options.onEvent);
  const outcome = await execution.result.then(
    (output) => ({ output, error: undefined }),
    (error: Execution['error']) => ({ output: undefined, error }),
  );
  options.signal?.removeEventListener('abort', onAbort);
  await batch.settled();
  return { ...outcome, log: await events };
}

/**
 * The rehearsal's stand-in ECR: every tag of the stack's repository exists and names the digest
 * `sha256:<SHA-256 of repository:tag>` (stable, so a rehearsal's record can be compared). The
 * registered revisions are the deployed ones (the same code runs, whatever the image).
 */
const rehearsalImageDigest: ResolveImageDigest = async (repositoryName, imageTag) =>
  `sha256:${createHash('sha256').update(`${repositoryName}:${imageTag}`).digest('hex')}`;

function lambdaStandIns(options: RehearsalOptions, storage: Storage): Handlers {
  return {
    [PIPELINE_STATES.prepare]: (event: unknown) =>
      reportErrors(() =>
        prepareRun(event, {
          config: options.stack.prepareConfig,
          registerImage: async (arn) => arn,
          resolveImageDigest: rehearsalImageDigest,
        }),
      ),
    [PIPELINE_STATES.plan]: (event: unknown) =>
      reportErrors(() =>
        planRun(event as Parameters<typeof planRun>[0], {
          storage,
          bucket: options.stack.bucketName,
        }),
      ),
  };
}

/**
 * Executes the synthesized state machine with aws-local-stepfunctions: the
 * lambdas run in-process, `batch:submitJob.sync` runs the real stage code
 * through the Batch stand-in, storage is the S3-compatible server.
 */
export async function rehearse(
  request: RehearsalRequest,
  options: RehearsalOptions,
): Promise<RehearsalResult> {
  const started = Date.now();
  const runId = request.runId ?? newRunId();
  const input = buildExecutionInput(request, runId);
  const storage = new Storage(
    new S3Driver(createS3Client(options.s3Env), options.stack.bucketName),
  );
  const layout = new RunLayout(request.expId, runId, input.dirPrefix);
  await prepareStorage(request, options, storage, layout);
  if (
    request.experimentDir !== undefined &&
    request.seedTasks === undefined &&
    !request.planOnlyTasks
  )
    await recordCloudRunStart(storage, layout, 'rehearsal', {
      launch: {
        kind: 'start',
        at: new Date().toISOString(),
        by: request.launchedBy ?? 'rehearsal',
      },
      image: request.imageUri ?? `the stack repository:${request.imageTag ?? '(deployed)'}`,
      referenceDate: request.referenceDate,
      outputConfigFile: request.outputConfigFile,
      cacheEnabled: !request.noCache,
    });
  const batch = new BatchStandIn({
    queues: options.stack.queues,
    jobDefinitions: options.stack.jobDefinitions,
    launcher: options.launcher,
    concurrency: options.concurrency ?? 2,
    planOnly: request.planOnlyTasks !== undefined,
    extraEnv: options.extraEnv,
  });
  const definition = forInterpreter(options.stack.definition as AslMachine);
  const { output, error, log } = await execute(
    definition,
    input,
    lambdaStandIns(options, storage),
    batch,
    options,
  );
  const aborted = options.signal?.aborted === true;
  await recordCloudRunEnd(storage, layout, {
    at: new Date().toISOString(),
    ...(error || aborted
      ? {
          failure: aborted
            ? 'The rehearsal was cancelled'
            : (error?.cause?.message ?? error?.message),
        }
      : {}),
  }).catch(() => undefined);
  const failure = aborted
    ? { error: 'Aborted', cause: 'The rehearsal was cancelled' }
    : error && {
        error: error.cause?.name ?? error.name,
        cause: error.cause?.message ?? error.message,
      };
  return {
    status: aborted ? 'aborted' : error ? 'failed' : 'succeeded',
    expId: request.expId,
    runId,
    numTasks: (log.planned as { numTasks?: number } | undefined)?.numTasks,
    stateTransitions: log.transitions,
    statesEntered: log.entered,
    ...failure,
    output,
    jobs: batch.jobs,
    durationMs: Date.now() - started,
  };
}

async function collectEvents(
  events: AsyncGenerator<EventLog>,
  onEvent?: (event: EventLog) => void,
) {
  const entered: string[] = [];
  let transitions = 0;
  let planned: unknown;
  for await (const event of events) {
    onEvent?.(event);
    if (event.type === 'StateEntered') entered.push(event.state.name);
    if (event.type === 'StateEntered' || event.type === 'StateRetried') transitions++;
    if (event.type === 'StateExited' && event.state.name === PIPELINE_STATES.plan)
      planned = (event.state.output as { plan?: unknown } | undefined)?.plan;
  }
  return { entered, transitions, planned };
}
