import { parseStage, type StageName } from '../contract/layout.js';
import { ENV } from '../contract/env.js';
import { ValidationError } from '../errors.js';
import {
  shouldRetry,
  validateSubmit,
  type RetryStrategy,
  type SubmitJobParams,
} from './batch-rules.js';
import { JobDefinitions, type JobDefinitionSpec } from './job-definitions.js';
import type { ContainerExit, ContainerLauncher } from './launcher.js';
import { Semaphore } from './semaphore.js';

/** Options of {@link BatchStandIn}. */
export interface BatchStandInOptions {
  readonly queues: readonly string[];
  readonly jobDefinitions: readonly JobDefinitionSpec[];
  readonly launcher: ContainerLauncher;
  /** Containers running at once (the compute environment's capacity). */
  readonly concurrency: number;
  /** Record submissions without running any container (planning rehearsals). */
  readonly planOnly?: boolean;
  /** Extra variables for every container (fault injection in tests). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

/** One attempt of one task. */
export interface AttemptRecord {
  readonly index: number | undefined;
  readonly attempt: number;
  readonly exitCode: number;
  /** The end of a failed attempt's stderr. */
  readonly logTail?: string;
}

/** A submitted job, as the stand-in saw it. */
export interface JobRecord {
  readonly jobId: string;
  readonly jobName: string;
  readonly stage: StageName;
  readonly arraySize: number | undefined;
  readonly sequential: boolean;
  readonly environment: Readonly<Record<string, string>>;
  readonly command: readonly string[] | undefined;
  /** The image of the job definition revision, when PrepareRun registered one (else the cloud image runs). */
  readonly image?: string | undefined;
  readonly attempts: AttemptRecord[];
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  /** When the job was submitted and when it settled (`performance.now()`; `settledAt` undefined while running). */
  readonly submittedAt: number;
  settledAt: number | undefined;
}

/** `.sync` failures: Step Functions' `States.TaskFailed` with the job description as cause. */
class TaskFailedError extends Error {
  override readonly name = 'States.TaskFailed';
}

const envOf = (params: SubmitJobParams): Record<string, string> =>
  Object.fromEntries(
    (params.ContainerOverrides?.Environment ?? []).map((e) => [e.Name ?? '', e.Value ?? '']),
  );

function stageOf(params: SubmitJobParams, definition: JobDefinitionSpec): StageName {
  const tag = Object.entries(params.Tags ?? {}).find(
    ([key]) => key === 'stage' || key.endsWith(':stage'),
  )?.[1];
  const stage = tag !== undefined ? parseStage(tag) : definition.stage;
  if (stage === undefined)
    throw new ValidationError(
      `Cannot tell the stage of job ${params.JobName}: no stage tag and job definition ${definition.arn} is not a stage's`,
    );
  return stage;
}

/**
 * A stand-in for AWS Batch behind `batch:submitJob.sync`: validates each
 * request as the Batch API does, runs the containers (array children with
 * `AWS_BATCH_JOB_ARRAY_INDEX`, plain jobs without), applies the retry
 * strategy per task, and answers as the `.sync` integration does: the job
 * description on success, `States.TaskFailed` on failure.
 */
export class BatchStandIn {
  readonly jobs: JobRecord[] = [];
  private readonly definitions: JobDefinitions;
  private readonly slots: Semaphore;
  private readonly abort = new AbortController();

  constructor(private readonly options: BatchStandInOptions) {
    this.definitions = new JobDefinitions(options.jobDefinitions);
    this.slots = new Semaphore(options.concurrency);
  }

  private readonly inFlight = new Set<Promise<unknown>>();

  /** Terminates every running container and fails every job still running (StopExecution on `.sync`). */
  terminateAll(): void {
    this.abort.abort();
  }

  /** Resolves when no job is running any more (after a termination: when every container has stopped). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * RegisterJobDefinition of a revision of a known definition with another
   * image and/or command (PrepareRun's `registerImage`); returns the new
   * revision's ARN, which SubmitJob then accepts.
   */
  readonly registerRevision = async (
    jobDefinitionArn: string,
    image: string | undefined,
    command?: readonly string[],
  ): Promise<string> => this.definitions.register(jobDefinitionArn, image, command);

  /** The `batch:submitJob.sync` handler. */
  readonly submitJobSync = async (input: unknown): Promise<Record<string, unknown>> => {
    const params = (input ?? {}) as SubmitJobParams;
    validateSubmit(params, {
      queues: new Set(this.options.queues),
      jobDefinitions: this.definitions.arns(),
    });
    const definition = this.definitions.get(params.JobDefinition ?? '') as JobDefinitionSpec;
    const record: JobRecord = {
      jobId: `rehearsal-${this.jobs.length + 1}`,
      jobName: params.JobName ?? '',
      stage: stageOf(params, definition),
      arraySize: params.ArrayProperties?.Size,
      sequential: (params.DependsOn ?? []).some((d) => d.Type === 'SEQUENTIAL'),
      environment: { ...definition.environment, ...envOf(params) },
      command: params.ContainerOverrides?.Command ?? definition.command,
      image: definition.image,
      attempts: [],
      status: 'RUNNING',
      submittedAt: performance.now(),
      settledAt: undefined,
    };
    this.jobs.push(record);
    const running = this.options.planOnly
      ? Promise.resolve(true)
      : this.runJob(record, params.RetryStrategy ?? definition.retryStrategy);
    this.inFlight.add(running);
    const ok = await running.finally(() => this.inFlight.delete(running));
    record.status = ok && !this.abort.signal.aborted ? 'SUCCEEDED' : 'FAILED';
    record.settledAt = performance.now();
    const description = this.describe(record);
    if (record.status === 'FAILED') throw new TaskFailedError(JSON.stringify(description));
    return description;
  };

  private async runJob(record: JobRecord, strategy: RetryStrategy | undefined): Promise<boolean> {
    if (record.arraySize === undefined) return this.runTask(record, undefined, strategy);
    const indexes = Array.from({ length: record.arraySize }, (_, i) => i);
    if (record.sequential) {
      for (const i of indexes) if (!(await this.runTask(record, i, strategy))) return false;
      return true;
    }
    const results = await Promise.all(indexes.map((i) => this.runTask(record, i, strategy)));
    return results.every(Boolean);
  }

  private async runTask(
    record: JobRecord,
    index: number | undefined,
    strategy: RetryStrategy | undefined,
  ): Promise<boolean> {
    for (let attempt = 1; !this.abort.signal.aborted; attempt++) {
      const exit = await this.slots.use(() => this.launch(record, index, attempt));
      record.attempts.push({
        index,
        attempt,
        exitCode: exit.exitCode,
        ...(exit.exitCode === 0 ? {} : { logTail: exit.logTail }),
      });
      if (exit.exitCode === 0) return true;
      if (
        !shouldRetry(strategy, attempt, {
          exitCode: exit.exitCode,
          reason: exit.reason,
          statusReason: exit.reason,
        })
      )
        return false;
    }
    return false;
  }

  private async launch(
    record: JobRecord,
    index: number | undefined,
    attempt: number,
  ): Promise<ContainerExit> {
    if (this.abort.signal.aborted) return { exitCode: 143, reason: 'Job terminated', logTail: '' };
    const batchEnv: Record<string, string> = {
      AWS_BATCH_JOB_ID: index === undefined ? record.jobId : `${record.jobId}:${index}`,
      AWS_BATCH_JOB_ATTEMPT: String(attempt),
      AWS_BATCH_JQ_NAME: this.options.queues[0] ?? '',
      ...(index === undefined
        ? {}
        : { [ENV.arrayIndex]: String(index), AWS_BATCH_JOB_ARRAY_SIZE: String(record.arraySize) }),
    };
    const env = { ...record.environment, ...(this.options.extraEnv ?? {}), ...batchEnv };
    return this.options.launcher({
      stage: record.stage,
      env,
      command: record.command,
      image: record.image,
      signal: this.abort.signal,
    });
  }

  /** The job as DescribeJobs (and so the `.sync` result) shows it. */
  private describe(record: JobRecord): Record<string, unknown> {
    const failedTasks = new Set(
      record.attempts.filter((a) => a.exitCode !== 0).map((a) => a.index),
    );
    const succeeded = new Set(record.attempts.filter((a) => a.exitCode === 0).map((a) => a.index));
    const failed = [...failedTasks].filter((i) => !succeeded.has(i)).length;
    return {
      JobId: record.jobId,
      JobName: record.jobName,
      JobArn: `arn:aws:batch:us-east-1:000000000000:job/${record.jobId}`,
      Status: record.status,
      StatusReason:
        record.status === 'FAILED'
          ? this.abort.signal.aborted
            ? 'Job terminated'
            : `${failed || 1} task(s) failed`
          : undefined,
      ...(record.arraySize === undefined
        ? { Attempts: record.attempts.map((a) => ({ Container: { ExitCode: a.exitCode } })) }
        : {
            ArrayProperties: {
              Size: record.arraySize,
              StatusSummary: { SUCCEEDED: succeeded.size, FAILED: failed },
            },
          }),
      Container: {
        Environment: Object.entries(record.environment).map(([Name, Value]) => ({ Name, Value })),
      },
    };
  }
}
