import type { JobDetail } from '@aws-sdk/client-batch';
import {
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { ENV } from '../contract/env.js';
import type { StageName } from '../contract/layout.js';
import { DESCRIBE_JOBS_MAX, describeJobs, jobProgress, type JobProgress } from './batch.js';
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

/**
 * Arrays of at most this many children are described child by child (one
 * DescribeJobs call) and their streams read by name; bigger ones are read by
 * their streams' prefix, never child by child.
 */
export const NAMED_ARRAY_MAX = DESCRIBE_JOBS_MAX;
/** FilterLogEvents accepts at most this many stream names. */
export const FILTER_STREAM_NAMES_MAX = 100;
/** FilterLogEvents reads newest first (`startFromHead: false`) only from a startTime on or after this. */
export const NEWEST_FIRST_MIN_START = Date.UTC(2024, 0, 1);
/** Log timestamps and Batch's job times come from different clocks: job windows are widened by this. */
const CLOCK_SLACK_MS = 60_000;

const FINAL = new Set(['SUCCEEDED', 'FAILED']);

/** The streams of a job, one per attempt (1-based, in order), the current one included. */
export function streamsOf(
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
  const logGroupName = logGroupOf(job, group);
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

const logGroupOf = (job: JobDetail, group: string): string =>
  job.container?.logConfiguration?.options?.['awslogs-group'] ?? group;

/**
 * The prefix of a job's streams: Batch names them `<prefix>/<container>/<ECS
 * task id>`, the prefix being the job definition's `awslogs-stream-prefix`
 * (the stage name, lib/constructs/stage-job-definitions.ts) or, without one,
 * the job definition's name.
 */
function streamPrefixOf(job: JobDetail, stage: StageName | undefined): string {
  const option = job.container?.logConfiguration?.options?.['awslogs-stream-prefix'];
  const definition = job.jobDefinition?.split('/').at(-1)?.replace(/:\d+$/, '');
  return `${option ?? definition ?? stage ?? ''}/`;
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

/** When a job's log events can have been written: `end` undefined while it may still write. */
export interface LogWindow {
  readonly start: number;
  readonly end: number | undefined;
}

function windowOf(jobs: readonly JobDetail[]): LogWindow {
  const start = Math.min(...jobs.map((j) => j.createdAt ?? j.startedAt ?? 0));
  const stops = jobs.map((j) => (FINAL.has(j.status ?? '') ? j.stoppedAt : undefined));
  const end = stops.includes(undefined) ? undefined : Math.max(...(stops as number[]));
  return {
    start: Math.max(0, start - CLOCK_SLACK_MS),
    end: end === undefined ? undefined : end + CLOCK_SLACK_MS,
  };
}

/** An array job too big to describe child by child: its lines are found by stream prefix. */
export interface PrefixedArrayJob {
  readonly jobId: string;
  readonly stage: StageName | undefined;
  readonly taskOffset: number;
  readonly size: number;
  /** EXP_ID / RUN_ID of the job's environment: the run its children's JSON lines name. */
  readonly expId: string | undefined;
  readonly runId: string | undefined;
}

/** Streams known by name (the children of a small array job), read together with FilterLogEvents. */
export interface NamedSource {
  readonly key: string;
  readonly logGroupName: string;
  readonly refs: readonly LogStreamRef[];
  readonly window: LogWindow;
}

/** The big array jobs of one log group and stream prefix, read together with FilterLogEvents. */
export interface PrefixSource {
  readonly key: string;
  readonly logGroupName: string;
  readonly prefix: string;
  readonly jobs: readonly PrefixedArrayJob[];
  readonly window: LogWindow;
}

/** Where a run's logs are, by how they are read. */
export interface LogSources {
  /** Streams read one by one (GetLogEvents): single jobs and the one child asked for. */
  readonly streams: LogStreamRef[];
  /** Arrays of up to {@link NAMED_ARRAY_MAX} children: their streams, by name. */
  readonly named: NamedSource[];
  /** Bigger arrays, by stream prefix. */
  readonly prefixed: PrefixSource[];
}

const envOf = (job: JobDetail, name: string): string | undefined =>
  job.container?.environment?.find((e) => e.name === name)?.value;

/**
 * Finds where the logs of a run's jobs are, filtered by stage and task index:
 * a single job's streams from its attempts; the one child `<jobId>:<i>` asked
 * for by task index (one DescribeJobs call); the children of a small array
 * (one call per 100 children); a bigger array only by its stream prefix, never
 * describing its children.
 */
export async function resolveLogSources(
  clients: AwsClients,
  deployment: Deployment,
  jobIds: readonly string[],
  query: StreamQuery,
): Promise<LogSources> {
  const streams: LogStreamRef[] = [];
  const small: { job: JobDetail; progress: JobProgress }[] = [];
  const big = new Map<string, { group: string; prefix: string; jobs: JobDetail[] }>();
  const bigJobs = new Map<string, PrefixedArrayJob[]>();
  for (const job of await describeJobs(clients.batch, jobIds)) {
    const progress = jobProgress(job, deployment);
    if (query.stage !== undefined && progress.stage !== query.stage) continue;
    if (job.arrayProperties?.size === undefined) {
      const index = progress.stage === 'runner' ? progress.taskOffset : undefined;
      if (query.taskIndex === undefined || query.taskIndex === index)
        streams.push(...streamsOf(job, progress.stage, index, deployment.logGroupName));
    } else if (query.taskIndex !== undefined) {
      const ids = childIds(progress.jobId, progress.size, progress.taskOffset, query.taskIndex);
      for (const child of await describeJobs(clients.batch, ids))
        streams.push(...streamsOf(child, progress.stage, query.taskIndex, deployment.logGroupName));
    } else if (progress.size <= NAMED_ARRAY_MAX) {
      small.push({ job, progress });
    } else {
      const group = logGroupOf(job, deployment.logGroupName);
      const prefix = streamPrefixOf(job, progress.stage);
      const key = `${group}\n${prefix}`;
      const entry = big.get(key) ?? { group, prefix, jobs: [] };
      entry.jobs.push(job);
      big.set(key, entry);
      bigJobs.set(key, [
        ...(bigJobs.get(key) ?? []),
        {
          jobId: progress.jobId,
          stage: progress.stage,
          taskOffset: progress.taskOffset,
          size: progress.size,
          expId: envOf(job, ENV.expId),
          runId: envOf(job, ENV.runId),
        },
      ]);
    }
  }
  const children = await describeJobs(
    clients.batch,
    small.flatMap(({ progress: p }) => childIds(p.jobId, p.size, p.taskOffset, undefined)),
  );
  const named = small.map(({ job, progress }): NamedSource => {
    const refs = children
      .filter((c) => c.jobId?.startsWith(`${progress.jobId}:`))
      .flatMap((child) => {
        const index =
          progress.taskOffset +
          (child.arrayProperties?.index ?? Number(child.jobId?.split(':')[1] ?? 0));
        return streamsOf(child, progress.stage, index, deployment.logGroupName);
      });
    return {
      key: progress.jobId,
      logGroupName: logGroupOf(job, deployment.logGroupName),
      refs,
      window: windowOf([job]),
    };
  });
  const prefixed = [...big].map(([key, { group, prefix, jobs }]): PrefixSource => ({
    key,
    logGroupName: group,
    prefix,
    jobs: bigJobs.get(key) ?? [],
    window: windowOf(jobs),
  }));
  return { streams, named, prefixed };
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

/**
 * The last `limit` events of a stream (from `startTime`), oldest first, in one
 * GetLogEvents call, and the forward token to follow the stream from there.
 */
export async function readLogStreamTail(
  client: CloudWatchLogsClient,
  ref: Pick<LogStreamRef, 'logGroupName' | 'logStreamName'>,
  limit: number,
  startTime?: number,
): Promise<{ events: LogEvent[]; nextToken: string | undefined }> {
  const page = await client.send(
    new GetLogEventsCommand({
      logGroupName: ref.logGroupName,
      logStreamName: ref.logStreamName,
      startFromHead: false,
      limit,
      ...(startTime !== undefined ? { startTime } : {}),
    }),
  );
  const events = (page.events ?? []).map((e) => ({
    timestamp: e.timestamp ?? 0,
    message: e.message ?? '',
  }));
  return {
    events: events.slice(Math.max(events.length - limit, 0)),
    nextToken: page.nextForwardToken,
  };
}

/** One event found by FilterLogEvents. */
export interface FilteredEvent extends LogEvent {
  readonly logStreamName: string;
  readonly eventId: string;
}

/** Which streams of a group FilterLogEvents searches: up to 100 names, or a prefix. */
export type StreamSelector =
  { readonly logStreamNames: readonly string[] } | { readonly logStreamNamePrefix: string };

/** A time range, both ends inclusive; no end: up to now. */
export interface TimeRange {
  readonly start: number;
  readonly end?: number | undefined;
}

async function filterPage(
  client: CloudWatchLogsClient,
  logGroupName: string,
  selector: StreamSelector,
  range: TimeRange,
  page: { newestFirst?: boolean; limit?: number; nextToken?: string | undefined },
): Promise<{ events: FilteredEvent[]; nextToken: string | undefined }> {
  const response = await client.send(
    new FilterLogEventsCommand({
      logGroupName,
      ...('logStreamNames' in selector
        ? { logStreamNames: [...selector.logStreamNames] }
        : { logStreamNamePrefix: selector.logStreamNamePrefix }),
      startTime: range.start,
      ...(range.end !== undefined ? { endTime: range.end } : {}),
      ...(page.newestFirst ? { startFromHead: false } : {}),
      ...(page.limit !== undefined ? { limit: page.limit } : {}),
      ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
    }),
  );
  const events = (response.events ?? []).map((e) => ({
    logStreamName: e.logStreamName ?? '',
    eventId: e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`,
    timestamp: e.timestamp ?? 0,
    message: e.message ?? '',
  }));
  return { events, nextToken: response.nextToken };
}

/** Every event of the selected streams in the range, oldest first (all pages). */
export async function filterLogEvents(
  client: CloudWatchLogsClient,
  logGroupName: string,
  selector: StreamSelector,
  range: TimeRange,
): Promise<FilteredEvent[]> {
  const events: FilteredEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await filterPage(client, logGroupName, selector, range, { nextToken });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

/**
 * The newest events of the selected streams in the range, oldest first:
 * FilterLogEvents newest first, `pageSize` events a page, until `enough(page,
 * every event read so far)` or the range is exhausted. A range starting before
 * {@link NEWEST_FIRST_MIN_START} (where the API refuses newest-first reads) is
 * read whole.
 */
export async function filterNewestEvents(
  client: CloudWatchLogsClient,
  logGroupName: string,
  selector: StreamSelector,
  range: TimeRange,
  pageSize: number,
  enough: (page: readonly FilteredEvent[], all: readonly FilteredEvent[]) => boolean,
): Promise<FilteredEvent[]> {
  if (range.start < NEWEST_FIRST_MIN_START)
    return filterLogEvents(client, logGroupName, selector, range);
  const events: FilteredEvent[] = [];
  for (let nextToken: string | undefined; ;) {
    const page = await filterPage(client, logGroupName, selector, range, {
      newestFirst: true,
      limit: pageSize,
      nextToken,
    });
    events.push(...page.events);
    nextToken = page.nextToken;
    if (nextToken === undefined || enough(page.events, events)) break;
  }
  return events.sort((a, b) => a.timestamp - b.timestamp);
}
