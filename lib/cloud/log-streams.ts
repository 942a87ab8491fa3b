import type { JobDetail } from '@aws-sdk/client-batch';
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { StageName } from '../contract/layout.js';
import { describeJobs, jobProgress } from './batch.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';

/** One log stream of one attempt of one task. */
export interface LogStreamRef {
  readonly stage: StageName | undefined;
  readonly taskIndex: number | undefined;
  readonly jobId: string;
  readonly attempt: number;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Whether the job may still write to it. */
  readonly active: boolean;
}

/** Which streams to resolve. */
export interface StreamQuery {
  readonly stage?: StageName | undefined;
  readonly taskIndex?: number | undefined;
}

const FINAL = new Set(['SUCCEEDED', 'FAILED']);

function streamsOf(
  job: JobDetail,
  stage: StageName | undefined,
  taskIndex: number | undefined,
  group: string,
): LogStreamRef[] {
  const names = [
    ...(job.attempts ?? []).map((a) => a.container?.logStreamName),
    job.container?.logStreamName,
  ];
  const unique = [...new Set(names.filter((n): n is string => n !== undefined && n !== ''))];
  const logGroupName = job.container?.logConfiguration?.options?.['awslogs-group'] ?? group;
  return unique.map((logStreamName, attempt) => ({
    stage,
    taskIndex,
    jobId: job.jobId ?? '',
    attempt: attempt + 1,
    logGroupName,
    logStreamName,
    active: !FINAL.has(job.status ?? ''),
  }));
}

/** Child ids `<jobId>:<i>` of an array job, limited to one task when asked. */
function childIds(
  jobId: string,
  size: number,
  offset: number,
  taskIndex: number | undefined,
): string[] {
  if (taskIndex !== undefined) {
    const i = taskIndex - offset;
    return i >= 0 && i < size ? [`${jobId}:${i}`] : [];
  }
  return Array.from({ length: size }, (_, i) => `${jobId}:${i}`);
}

/**
 * Resolves the log streams of a run's jobs: array jobs through their children
 * `<jobId>:<i>`, every attempt of every job, filtered by stage and task index.
 */
export async function resolveLogStreams(
  clients: AwsClients,
  deployment: Deployment,
  jobIds: readonly string[],
  query: StreamQuery,
): Promise<LogStreamRef[]> {
  const refs: LogStreamRef[] = [];
  for (const job of await describeJobs(clients.batch, jobIds)) {
    const progress = jobProgress(job, deployment);
    if (query.stage !== undefined && progress.stage !== query.stage) continue;
    if (job.arrayProperties?.size === undefined) {
      const index = progress.stage === 'runner' ? progress.taskOffset : undefined;
      if (query.taskIndex === undefined || query.taskIndex === index)
        refs.push(...streamsOf(job, progress.stage, index, deployment.logGroupName));
      continue;
    }
    const children = await describeJobs(
      clients.batch,
      childIds(progress.jobId, progress.size, progress.taskOffset, query.taskIndex),
    );
    for (const child of children) {
      const index =
        progress.taskOffset +
        (child.arrayProperties?.index ?? Number(child.jobId?.split(':')[1] ?? 0));
      refs.push(...streamsOf(child, progress.stage, index, deployment.logGroupName));
    }
  }
  return refs;
}

/** One log event. */
export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** Reads a stream from a token (or its head) to its current end; pages end when the forward token repeats. */
export async function readLogStream(
  client: CloudWatchLogsClient,
  ref: Pick<LogStreamRef, 'logGroupName' | 'logStreamName'>,
  from: { nextToken?: string | undefined; startTime?: number | undefined } = {},
): Promise<{ events: LogEvent[]; nextToken: string | undefined }> {
  const events: LogEvent[] = [];
  let token = from.nextToken;
  for (;;) {
    const page = await client.send(
      new GetLogEventsCommand({
        logGroupName: ref.logGroupName,
        logStreamName: ref.logStreamName,
        startFromHead: true,
        ...(token !== undefined ? { nextToken: token } : {}),
        ...(token === undefined && from.startTime !== undefined
          ? { startTime: from.startTime }
          : {}),
      }),
    );
    for (const e of page.events ?? [])
      events.push({ timestamp: e.timestamp ?? 0, message: e.message ?? '' });
    if (page.nextForwardToken === undefined || page.nextForwardToken === token)
      return { events, nextToken: token };
    token = page.nextForwardToken;
  }
}
