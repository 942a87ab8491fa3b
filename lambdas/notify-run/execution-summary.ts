import { z } from 'zod';
import { RunLayout } from '../../lib/contract/layout.js';
import { failedState, type RunLocation, type RunSummary } from '../../lib/notify/summary.js';

/** The statuses the rule forwards: an execution that ended. */
export const ENDED_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** What the notification is built from: the execution as its status-change event shows it. */
export interface ExecutionFacts {
  readonly executionArn: string;
  readonly name: string;
  readonly status: (typeof ENDED_STATUSES)[number];
  readonly startMs?: number | undefined;
  readonly stopMs?: number | undefined;
  /** The execution input and output, as JSON text. */
  readonly input?: string | undefined;
  readonly output?: string | undefined;
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
}

/** The execution input's fields a summary shows (lib/contract/execution.ts), read leniently. */
const inputSchema = z.object({
  expId: z.string().optional(),
  runId: z.string().optional(),
  dirPrefix: z.string().optional(),
  skipOutput: z.boolean().optional(),
  referenceDate: z.string().optional(),
});
/** The `Done` state's output (PipelineOutput, lib/contract/pipeline.ts). */
const outputSchema = z.object({
  expId: z.string(),
  runId: z.string(),
  numTasks: z.number().int().nonnegative(),
});
/** A failed `submitJob.sync` state's cause: the Batch job, an array job with its children's counts. */
const batchCauseSchema = z.object({
  StatusReason: z.string().optional(),
  ArrayProperties: z
    .object({
      StatusSummary: z.object({
        SUCCEEDED: z.number().int().default(0),
        FAILED: z.number().int().default(0),
      }),
    })
    .optional(),
});

function parseJson<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The S3 console page of a folder in a bucket. */
export function s3ConsoleUrl(bucket: string, prefix: string, region: string): string {
  return `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(bucket)}?region=${region}&prefix=${encodeURIComponent(prefix)}`;
}

/** The run's output folders, `s3://` and in the S3 console; none when the ids are not valid run ids. */
function outputsLocation(
  bucket: string,
  ids: { expId: string; runId: string; dirPrefix?: string | undefined },
  region: string,
): RunLocation | undefined {
  try {
    const prefix = new RunLayout(ids.expId, ids.runId, ids.dirPrefix).outputsPrefix;
    return { path: `s3://${bucket}/${prefix}`, console: s3ConsoleUrl(bucket, prefix, region) };
  } catch {
    return undefined;
  }
}

/** Why the execution failed, in one line: the Batch job's reason when the cause is a job, else the cause. */
function failureOf(facts: ExecutionFacts, reason: string | undefined): string {
  const cause = reason ?? facts.cause;
  const head = facts.error ?? `execution ${facts.status}`;
  return cause === undefined || cause === '' ? head : `${head}: ${cause.slice(0, 500)}`;
}

/**
 * The run-end summary of a finished execution. Ids come from the `Done` output, else the input,
 * else the execution name; a failed array job's counts (its cause) tell a partial run (some tasks
 * succeeded) from a failed one; the run's output folders are linked, as `s3://` and their S3
 * console page, when Stage C ran and the bucket is known (the folder of this output is named by
 * the time Stage C ran, which only a listing would tell).
 */
export function executionSummary(facts: ExecutionFacts, bucket: string | undefined): RunSummary {
  const input = parseJson(inputSchema, facts.input) ?? {};
  const output = facts.status === 'SUCCEEDED' ? parseJson(outputSchema, facts.output) : undefined;
  const ids = {
    expId: output?.expId ?? input.expId ?? facts.name,
    runId: output?.runId ?? input.runId ?? facts.name,
    dirPrefix: input.dirPrefix,
  };
  const cause = parseJson(batchCauseSchema, facts.cause);
  const counts = cause?.ArrayProperties?.StatusSummary;
  const region = facts.executionArn.split(':')[3] ?? '';
  const outputs =
    bucket !== undefined && output !== undefined && input.skipOutput !== true
      ? outputsLocation(bucket, ids, region)
      : undefined;
  return {
    backend: 'cloud',
    expId: ids.expId,
    runId: ids.runId,
    state:
      facts.status === 'SUCCEEDED'
        ? 'succeeded'
        : failedState(counts?.FAILED ?? 0, counts && counts.SUCCEEDED + counts.FAILED),
    ...(input.referenceDate === undefined ? {} : { referenceDate: input.referenceDate }),
    ...(output === undefined ? {} : { numTasks: output.numTasks }),
    ...(counts && counts.FAILED > 0 ? { failedTasks: { count: counts.FAILED } } : {}),
    ...(facts.startMs !== undefined && facts.stopMs !== undefined
      ? { durationMs: facts.stopMs - facts.startMs }
      : {}),
    ...(facts.status === 'SUCCEEDED' ? {} : { failure: failureOf(facts, cause?.StatusReason) }),
    links: { ...(outputs === undefined ? {} : { outputs }), executionArn: facts.executionArn },
  };
}
