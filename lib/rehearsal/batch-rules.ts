import { RESERVED_ENV_PREFIX } from '../contract/batch-job.js';
import {
  BATCH_ARRAY_MAX as ARRAY_SIZE_MAX,
  BATCH_ARRAY_MIN as ARRAY_SIZE_MIN,
} from '../contract/stage-b-plan.js';

/** A `batch:submitJob` request as Step Functions passes it (PascalCase). */
export interface SubmitJobParams {
  readonly JobName?: string;
  readonly JobQueue?: string;
  readonly JobDefinition?: string;
  readonly ArrayProperties?: { readonly Size?: number };
  readonly ContainerOverrides?: {
    readonly Environment?: readonly { readonly Name?: string; readonly Value?: string }[];
    readonly ResourceRequirements?: readonly { readonly Type?: string; readonly Value?: string }[];
    readonly Command?: readonly string[];
  };
  readonly RetryStrategy?: RetryStrategy;
  readonly DependsOn?: readonly { readonly Type?: string; readonly JobId?: string }[];
  readonly Tags?: Readonly<Record<string, string>>;
  readonly [other: string]: unknown;
}

/** Batch's retry strategy (CloudFormation and Step Functions spelling). */
export interface RetryStrategy {
  readonly Attempts?: number;
  readonly EvaluateOnExit?: readonly {
    readonly Action?: string;
    readonly OnExitCode?: string;
    readonly OnReason?: string;
    readonly OnStatusReason?: string;
  }[];
}

/** The error a rejected SubmitJob call raises in Step Functions. */
class BatchClientError extends Error {
  override readonly name = 'Batch.ClientException';
}

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * Rejects a request as the Batch API would: job name alphabet and length,
 * known queue and job definition, array size 2..10,000, no `AWS_BATCH*`
 * override names, SEQUENTIAL dependencies only on array jobs, 1..10 attempts.
 */
export function validateSubmit(
  params: SubmitJobParams,
  known: { queues: ReadonlySet<string>; jobDefinitions: ReadonlySet<string> },
): void {
  const fail = (message: string): never => {
    throw new BatchClientError(message);
  };
  if (!JOB_NAME.test(params.JobName ?? ''))
    fail(
      `Invalid job name "${params.JobName}": up to 128 letters, digits, - and _, starting with a letter or digit`,
    );
  if (!known.queues.has(params.JobQueue ?? '')) fail(`Job queue ${params.JobQueue} does not exist`);
  if (!known.jobDefinitions.has(params.JobDefinition ?? ''))
    fail(`Job definition ${params.JobDefinition} does not exist`);
  const size = params.ArrayProperties?.Size;
  if (
    size !== undefined &&
    (!Number.isInteger(size) || size < ARRAY_SIZE_MIN || size > ARRAY_SIZE_MAX)
  ) {
    fail(
      `Array size ${size} is invalid: array jobs have ${ARRAY_SIZE_MIN} to ${ARRAY_SIZE_MAX} children`,
    );
  }
  const reserved = (params.ContainerOverrides?.Environment ?? [])
    .map((e) => e.Name ?? '')
    .filter((n) => n.startsWith(RESERVED_ENV_PREFIX));
  if (reserved.length > 0)
    fail(
      `Environment variable names starting with ${RESERVED_ENV_PREFIX} are reserved: ${reserved.join(', ')}`,
    );
  if ((params.DependsOn ?? []).some((d) => d.Type === 'SEQUENTIAL') && size === undefined) {
    fail('A SEQUENTIAL dependency is only valid for an array job');
  }
  const attempts = params.RetryStrategy?.Attempts;
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1 || attempts > 10))
    fail(`Retry attempts ${attempts}: expected 1 to 10`);
}

const globMatch = (pattern: string | undefined, value: string): boolean =>
  pattern === undefined ||
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);

/**
 * Whether Batch retries an attempt that failed: the first EvaluateOnExit rule
 * whose patterns all match decides (RETRY or EXIT); with no matching rule, the
 * job is retried while attempts remain.
 */
export function shouldRetry(
  strategy: RetryStrategy | undefined,
  attempt: number,
  exit: { exitCode: number; reason: string; statusReason: string },
): boolean {
  if (attempt >= (strategy?.Attempts ?? 1)) return false;
  const rule = (strategy?.EvaluateOnExit ?? []).find(
    (r) =>
      globMatch(r.OnExitCode, String(exit.exitCode)) &&
      globMatch(r.OnReason, exit.reason) &&
      globMatch(r.OnStatusReason, exit.statusReason),
  );
  return rule === undefined || rule.Action?.toUpperCase() === 'RETRY';
}
