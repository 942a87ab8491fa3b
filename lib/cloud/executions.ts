import {
  DescribeExecutionCommand,
  paginateGetExecutionHistory,
  paginateListExecutions,
  type ExecutionStatus,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { executionInputSchema } from '../contract/execution.js';
import { PIPELINE_STATES, type RunImage } from '../contract/pipeline.js';
import { NotFoundError } from '../errors.js';
import { executionArn } from './names.js';

/** One execution of the pipeline, as the CLI shows it. */
export interface ExecutionInfo {
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly startDate: string | undefined;
  readonly stopDate: string | undefined;
  readonly expId: string | undefined;
  readonly runId: string | undefined;
  /** The run's `DIR_PREFIX`, read from the input by {@link describeExecution}. */
  readonly dirPrefix?: string | undefined;
  readonly redriveCount: number;
  readonly error: string | undefined;
  readonly cause: string | undefined;
}

/** Filters of {@link listExecutions}. */
export interface ExecutionFilter {
  readonly status?: ExecutionStatus | undefined;
  readonly namePrefix?: string | undefined;
  readonly since?: Date | undefined;
  readonly limit?: number | undefined;
}

/** Lists executions, newest first, following every nextToken page until the limit or `since` is reached. */
export async function listExecutions(
  client: SFNClient,
  stateMachineArn: string,
  filter: ExecutionFilter = {},
): Promise<ExecutionInfo[]> {
  const found: ExecutionInfo[] = [];
  const limit = filter.limit ?? Number.POSITIVE_INFINITY;
  const input = { stateMachineArn, ...(filter.status ? { statusFilter: filter.status } : {}) };
  for await (const page of paginateListExecutions({ client }, input)) {
    for (const e of page.executions ?? []) {
      if (filter.since && e.startDate && e.startDate < filter.since) return found; // newest first: the rest are older
      if (filter.namePrefix && !e.name?.startsWith(filter.namePrefix)) continue;
      found.push({
        name: e.name ?? '',
        arn: e.executionArn ?? '',
        status: e.status ?? 'UNKNOWN',
        startDate: e.startDate?.toISOString(),
        stopDate: e.stopDate?.toISOString(),
        expId: undefined,
        runId: undefined,
        redriveCount: e.redriveCount ?? 0,
        error: undefined,
        cause: undefined,
      });
      if (found.length >= limit) return found;
    }
  }
  return found;
}

/** Turns a name or an ARN into an execution ARN of the state machine. */
export function toExecutionArn(stateMachineArn: string, nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn : executionArn(stateMachineArn, nameOrArn);
}

/** Describes one execution, with the exp/run ids read from its input. */
export async function describeExecution(client: SFNClient, arn: string): Promise<ExecutionInfo> {
  let e;
  try {
    e = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist')
      throw new NotFoundError(arn, 'Step Functions');
    throw error;
  }
  const parsed = executionInputSchema.safeParse(JSON.parse(e.input ?? '{}'));
  return {
    name: e.name ?? '',
    arn,
    status: e.status ?? 'UNKNOWN',
    startDate: e.startDate?.toISOString(),
    stopDate: e.stopDate?.toISOString(),
    expId: parsed.success ? parsed.data.expId : undefined,
    runId: parsed.success ? parsed.data.runId : undefined,
    dirPrefix: parsed.success ? parsed.data.dirPrefix : undefined,
    redriveCount: e.redriveCount ?? 0,
    error: e.error,
    cause: e.cause,
  };
}

function submittedJobId(output: string | undefined): string | undefined {
  if (output === undefined) return undefined;
  try {
    const value = JSON.parse(output) as { JobId?: unknown; jobId?: unknown };
    const id = value.JobId ?? value.jobId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Ids of every Batch job the execution submitted (all pages of its history, oldest first). */
export async function executionJobIds(client: SFNClient, arn: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateGetExecutionHistory(
    { client },
    { executionArn: arn, maxResults: 1000 },
  )) {
    for (const event of page.events ?? []) {
      const details = event.taskSubmittedEventDetails;
      if (details?.resourceType !== 'batch') continue;
      const id = submittedJobId(details.output);
      if (id !== undefined && !ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

/** `run.image` of PrepareRun's output (`RunSpec`, lib/contract/pipeline.ts). */
const preparedImageSchema = z.object({
  run: z.object({
    image: z
      .object({ requested: z.string(), uri: z.string(), digest: z.string() })
      .nullable()
      .optional(),
  }),
});

/**
 * The image a run records (`run.image` of the PrepareRun state's output, in the
 * execution's history): the override pinned by digest, null when the run keeps
 * the job definitions' image, undefined when unknown (PrepareRun has not
 * succeeded, or the execution predates the record). Reads history pages only
 * until PrepareRun's exit, one of the first events.
 */
export async function executionImage(
  client: SFNClient,
  arn: string,
): Promise<RunImage | null | undefined> {
  for await (const page of paginateGetExecutionHistory(
    { client },
    { executionArn: arn, maxResults: 100 },
  )) {
    for (const event of page.events ?? []) {
      const exited = event.stateExitedEventDetails;
      if (exited?.name !== PIPELINE_STATES.prepare) continue;
      try {
        const parsed = preparedImageSchema.safeParse(JSON.parse(exited.output ?? '{}'));
        return parsed.success ? parsed.data.run.image : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
