import './polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import type { ResolveImageDigest } from '../../lambdas/prepare-run/prepare.js';
import {
  buildExecutionInput,
  withStageImage,
  type ExecutionRequest,
} from '../contract/execution.js';
import { recordCloudRunEnd, recordCloudRunStart } from '../run/launch-record.js';
import { newRunId } from '../contract/ids.js';
import { RunLayout } from '../contract/layout.js';
import { PIPELINE_STATES } from '../contract/pipeline.js';
import { ConfigError } from '../errors.js';
import type { ExperimentSource, ExperimentValidated } from '../host/experiment-source.js';
import { createS3Client, S3Driver, Storage } from '../storage/index.js';
import { forInterpreter, noRetryWaits, type AslMachine } from './asl.js';
import { BatchStandIn, type JobRecord } from './batch-stand-in.js';
import type { ContainerLauncher } from './launcher.js';
import { seedManifest } from './seed.js';
import type { RehearsalStack } from './stack-reader.js';
import { lambdaStandIns, taskHandlers, type Handlers } from './task-stand-ins.js';

/** One event of the interpreter's execution log. */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

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
  /** The experiment, already validated with the run's overrides (runRehearsal does, to pick the runtime); validated here when absent. */
  readonly validated?: ExperimentValidated | undefined;
  /** The stand-in ECR PrepareRun pins tags through (default: the process runtime's, `nameHashDigests`). */
  readonly resolveImageDigest?: ResolveImageDigest | undefined;
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
  /** The experiment's own stage image, when it names one. */
  readonly image?: string;
  /** States entered plus retries: what Step Functions bills as state transitions. */
  readonly stateTransitions: number;
  readonly statesEntered: readonly string[];
  readonly error?: string;
  readonly cause?: string;
  readonly output?: unknown;
  readonly jobs: readonly JobRecord[];
  readonly durationMs: number;
}

/** The experiment validated with the run's overrides; undefined for a seeded manifest. */
async function checkExperiment(
  request: RehearsalRequest,
  options: RehearsalOptions,
): Promise<ExperimentValidated | undefined> {
  if ((request.planOnlyTasks ?? request.seedTasks) !== undefined) return undefined;
  if (request.experimentDir === undefined || options.experiments === undefined)
    throw new ConfigError('A rehearsal needs the experiment folder');
  return (
    options.validated ??
    options.experiments.validate(request.experimentDir, {
      outputConfigFile: request.outputConfigFile,
      referenceDate: request.referenceDate,
    })
  );
}

/** Seeds the manifest, or snapshots the experiment (already checked) into the run. */
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
  const stageImage = (await checkExperiment(request, options))?.stageImage;
  const run = withStageImage(request, stageImage);
  const input = buildExecutionInput(run, runId);
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
      image: run.imageUri ?? `the stack repository:${request.imageTag ?? '(deployed)'}`,
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
    lambdaStandIns(options, storage, batch),
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
    ...(stageImage ? { image: stageImage.image } : {}),
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
