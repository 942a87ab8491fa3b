import type { StageName } from '../contract/layout.js';
import { NotFoundError } from '../errors.js';
import { describeJobs } from './batch.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';
import {
  describeExecution,
  executionJobIds,
  listExecutions,
  type ExecutionInfo,
} from './executions.js';
import {
  FILTER_STREAM_NAMES_MAX,
  filterLogEvents,
  filterNewestEvents,
  readLogStream,
  readLogStreamTail,
  resolveLogSources,
  streamsOf,
  type FilteredEvent,
  type LogEvent,
  type LogStreamRef,
  type LogWindow,
  type NamedSource,
  type PrefixedArrayJob,
  type PrefixSource,
  type StreamSelector,
} from './log-streams.js';
import { executionArn, executionName, executionNamePrefix } from './names.js';

/** What `logs` prints. */
export interface CloudLogQuery {
  readonly expId: string;
  readonly runId?: string | undefined;
  readonly stage?: StageName | undefined;
  readonly taskIndex?: number | undefined;
  readonly tail?: number | undefined;
  readonly since?: Date | undefined;
  readonly follow?: boolean | undefined;
}

/** One printed log line with where it came from. */
export interface CloudLogLine {
  readonly stage: StageName | undefined;
  readonly taskIndex: number | undefined;
  readonly attempt: number;
  readonly timestamp: number;
  readonly message: string;
}

/** Polling of `--follow`. */
export interface FollowOptions {
  readonly intervalMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * CloudWatch Logs may ingest a line after lines with later timestamps: each
 * poll of `--follow` re-reads this much before the newest line read and drops
 * the lines already read.
 */
const FOLLOW_OVERLAP_MS = 30_000;

/** The execution ARN of a run, or of the experiment's newest run when no run id is given. */
async function findRunExecution(
  clients: AwsClients,
  deployment: Deployment,
  expId: string,
  runId?: string,
): Promise<string> {
  if (runId !== undefined)
    return executionArn(deployment.stateMachineArn, executionName(expId, runId));
  const [latest] = await listExecutions(clients.sfn, deployment.stateMachineArn, {
    namePrefix: executionNamePrefix(expId),
    limit: 1,
  });
  if (latest === undefined)
    throw new NotFoundError(`runs of experiment ${expId}`, deployment.stateMachineArn);
  return latest.arn;
}

const lineOf = (ref: LogStreamRef, e: LogEvent): CloudLogLine => ({
  stage: ref.stage,
  taskIndex: ref.taskIndex,
  attempt: ref.attempt,
  timestamp: e.timestamp,
  message: e.message,
});

/** Where the next FilterLogEvents read of a source starts, and the events read from there on. */
class Cursor {
  private from: number | undefined;
  private readonly seen = new Map<string, number>();

  /** Whether nothing has been read yet. */
  get fresh(): boolean {
    return this.from === undefined && this.seen.size === 0;
  }

  start(start: number): number {
    return Math.max(start, this.from ?? start);
  }

  /** Keeps the events not read before, and moves the cursor past what was read. */
  unseen(events: readonly FilteredEvent[]): FilteredEvent[] {
    const kept = events.filter((e) => !this.seen.has(e.eventId));
    let newest = this.from === undefined ? undefined : this.from + FOLLOW_OVERLAP_MS;
    for (const e of events) {
      this.seen.set(e.eventId, e.timestamp);
      newest = Math.max(newest ?? e.timestamp, e.timestamp);
    }
    if (newest !== undefined) this.from = newest - FOLLOW_OVERLAP_MS;
    for (const [id, t] of this.seen) if (t < (this.from ?? 0)) this.seen.delete(id);
    return kept;
  }
}

/** The JSON fields a stage's log line carries (lib/log.ts), when it is such a line. */
function stageFields(
  message: string,
): { stage?: unknown; exp_id?: unknown; run_id?: unknown; task_index?: unknown } | undefined {
  if (!message.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(message);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The run a big array's lines must name. */
interface RunIds {
  readonly expId: string | undefined;
  readonly runId: string | undefined;
}

/**
 * Which task (and attempt) each stream found by prefix belongs to. A stream is
 * the run's when one of its JSON lines names the run and a task index of one of
 * the array jobs; lines of other runs sharing the prefix are dropped. Attempts:
 * when every line since the job started is read, the order in which a task's
 * streams appear; otherwise from DescribeJobs of the shown lines' children only.
 */
class PrefixTasks {
  private readonly taskOf = new Map<string, { job: PrefixedArrayJob; taskIndex: number }>();
  private readonly foreign = new Set<string>();
  /** `<jobId>:<child>` → its streams, in attempt order. */
  private readonly attempts = new Map<string, string[]>();
  private readonly described = new Set<string>();

  constructor(private readonly complete: boolean) {}

  learn(events: readonly FilteredEvent[], jobs: readonly PrefixedArrayJob[], run: RunIds): void {
    for (const e of events) {
      if (this.taskOf.has(e.logStreamName) || this.foreign.has(e.logStreamName)) continue;
      const f = stageFields(e.message);
      if (f === undefined) continue;
      if (
        (f.exp_id !== undefined && run.expId !== undefined && f.exp_id !== run.expId) ||
        (f.run_id !== undefined && run.runId !== undefined && f.run_id !== run.runId)
      ) {
        this.foreign.add(e.logStreamName);
        continue;
      }
      const index = f.task_index;
      if (typeof index !== 'number') continue;
      const job = jobs.find(
        (j) =>
          index >= j.taskOffset &&
          index < j.taskOffset + j.size &&
          (f.stage === undefined || j.stage === undefined || f.stage === j.stage),
      );
      if (job === undefined) continue;
      this.taskOf.set(e.logStreamName, { job, taskIndex: index });
      if (this.complete) this.attemptOf(e.logStreamName);
    }
  }

  owns(stream: string): boolean {
    return this.taskOf.has(stream);
  }

  private childId(stream: string): string {
    const t = this.taskOf.get(stream);
    return t === undefined ? '' : `${t.job.jobId}:${t.taskIndex - t.job.taskOffset}`;
  }

  private attemptOf(stream: string): number {
    const child = this.childId(stream);
    const streams = this.attempts.get(child) ?? [];
    if (!streams.includes(stream)) streams.push(stream);
    this.attempts.set(child, streams);
    return streams.indexOf(stream) + 1;
  }

  /** Describes the children of streams whose attempt is not known yet (100 a call). */
  async resolveAttempts(clients: AwsClients, events: readonly FilteredEvent[]): Promise<void> {
    if (this.complete) return;
    const streams = [...new Set(events.map((e) => e.logStreamName))].filter(
      (s) => this.owns(s) && !this.described.has(s),
    );
    const children = [...new Set(streams.map((s) => this.childId(s)))];
    for (const child of await describeJobs(clients.batch, children)) {
      const id = child.jobId ?? '';
      const known = this.attempts.get(id) ?? [];
      const names = streamsOf(child, undefined, undefined, '').map((r) => r.logStreamName);
      this.attempts.set(id, [...names, ...known.filter((s) => !names.includes(s))]);
    }
    streams.forEach((s) => this.described.add(s));
  }

  line(e: FilteredEvent): CloudLogLine {
    const task = this.taskOf.get(e.logStreamName);
    return {
      stage: task?.job.stage,
      taskIndex: task?.taskIndex,
      attempt: this.attemptOf(e.logStreamName),
      timestamp: e.timestamp,
      message: e.message,
    };
  }
}

/** A line read, labelled now or (a big array's) once the shown lines' attempts are known. */
type Pending =
  | { readonly timestamp: number; readonly line: CloudLogLine }
  | { readonly timestamp: number; readonly event: FilteredEvent; readonly tasks: PrefixTasks };

/** What `--follow` remembers between polls. */
class FollowState {
  readonly tokens = new Map<string, string | undefined>();
  readonly cursors = new Map<string, Cursor>();
  readonly tasks = new Map<string, PrefixTasks>();

  cursor(key: string): Cursor {
    const cursor = this.cursors.get(key) ?? new Cursor();
    this.cursors.set(key, cursor);
    return cursor;
  }
}

/** What one poll reads. */
interface Poll {
  readonly clients: AwsClients;
  readonly state: FollowState;
  /** `--tail` on the first poll. */
  readonly tail: number | undefined;
  readonly since: number | undefined;
}

/** Single jobs and the one child asked for: each stream with GetLogEvents, `--tail N` in one call. */
async function readStreams(poll: Poll, refs: readonly LogStreamRef[]): Promise<Pending[]> {
  const read: Pending[] = [];
  for (const ref of refs) {
    const key = `${ref.logGroupName}/${ref.logStreamName}`;
    const { events, nextToken } = poll.state.tokens.has(key)
      ? await readLogStream(poll.clients.logs, ref, { nextToken: poll.state.tokens.get(key) })
      : poll.tail !== undefined
        ? await readLogStreamTail(poll.clients.logs, ref, poll.tail, poll.since)
        : await readLogStream(poll.clients.logs, ref, { startTime: poll.since });
    poll.state.tokens.set(key, nextToken);
    read.push(...events.map((e) => ({ timestamp: e.timestamp, line: lineOf(ref, e) })));
  }
  return read;
}

/**
 * Reads a FilterLogEvents source (one or more selectors, one cursor): on its
 * first read every event of its window (from `--since`), or with `--tail N`
 * the newest pages until `enough`; then, following, what came after the cursor.
 */
async function readFiltered(
  poll: Poll,
  source: { readonly key: string; readonly logGroupName: string; readonly window: LogWindow },
  selectors: readonly StreamSelector[],
  enough: (page: readonly FilteredEvent[], all: readonly FilteredEvent[]) => boolean,
): Promise<FilteredEvent[]> {
  const cursor = poll.state.cursor(source.key);
  const start = cursor.start(Math.max(source.window.start, poll.since ?? 0));
  const range = { start, end: source.window.end };
  const newest = cursor.fresh && poll.tail !== undefined;
  const events: FilteredEvent[] = [];
  for (const selector of selectors)
    events.push(
      ...(newest
        ? await filterNewestEvents(
            poll.clients.logs,
            source.logGroupName,
            selector,
            range,
            Math.min(10_000, Math.max(2 * (poll.tail ?? 0), 100)),
            enough,
          )
        : await filterLogEvents(poll.clients.logs, source.logGroupName, selector, range)),
    );
  return cursor.unseen(events.sort((a, b) => a.timestamp - b.timestamp));
}

/** A small array's children: their streams by name, 100 names a call. */
async function readNamed(poll: Poll, source: NamedSource): Promise<Pending[]> {
  const byName = new Map(source.refs.map((r) => [r.logStreamName, r]));
  const names = [...byName.keys()];
  const selectors: StreamSelector[] = [];
  for (let i = 0; i < names.length; i += FILTER_STREAM_NAMES_MAX)
    selectors.push({ logStreamNames: names.slice(i, i + FILTER_STREAM_NAMES_MAX) });
  const events = await readFiltered(
    poll,
    source,
    selectors,
    (_page, all) => all.length >= (poll.tail ?? 0),
  );
  return events.flatMap((e) => {
    const ref = byName.get(e.logStreamName);
    return ref === undefined ? [] : [{ timestamp: e.timestamp, line: lineOf(ref, e) }];
  });
}

/** Big arrays: every stream under their prefix, the run's lines told apart by their JSON fields. */
async function readPrefixed(
  poll: Poll,
  source: PrefixSource,
  execution: ExecutionInfo,
  expId: string,
): Promise<Pending[]> {
  const run: RunIds = {
    expId: source.jobs.find((j) => j.expId)?.expId ?? execution.expId ?? expId,
    runId: source.jobs.find((j) => j.runId)?.runId ?? execution.runId,
  };
  const cursor = poll.state.cursor(source.key);
  const tasks =
    poll.state.tasks.get(source.key) ??
    new PrefixTasks(
      cursor.fresh &&
        poll.tail === undefined &&
        (poll.since === undefined || poll.since <= source.window.start),
    );
  poll.state.tasks.set(source.key, tasks);
  const events = await readFiltered(
    poll,
    source,
    [{ logStreamNamePrefix: source.prefix }],
    (page, all) => {
      tasks.learn(page, source.jobs, run);
      return all.filter((e) => tasks.owns(e.logStreamName)).length >= (poll.tail ?? 0);
    },
  );
  tasks.learn(events, source.jobs, run);
  return events
    .filter((e) => tasks.owns(e.logStreamName))
    .map((event) => ({ timestamp: event.timestamp, event, tasks }));
}

/** Labels the lines to show; a big array's attempts come from describing only their children. */
async function label(clients: AwsClients, shown: readonly Pending[]): Promise<CloudLogLine[]> {
  const byTasks = new Map<PrefixTasks, FilteredEvent[]>();
  for (const p of shown) {
    if ('line' in p) continue;
    const events = byTasks.get(p.tasks) ?? [];
    events.push(p.event);
    byTasks.set(p.tasks, events);
  }
  for (const [tasks, events] of byTasks) await tasks.resolveAttempts(clients, events);
  return shown.map((p) => ('line' in p ? p.line : p.tasks.line(p.event)));
}

/**
 * Prints a run's logs through `emit`, oldest first: every attempt of the
 * stages asked for (`--tail N`: the last N lines). Single jobs and one task of
 * an array job are read stream by stream; the children of an array job
 * through FilterLogEvents (by name up to 100 children, else by the streams'
 * prefix), so the calls do not grow with the number of tasks. With `follow`,
 * keeps polling new lines until the execution has ended.
 */
export async function cloudLogs(
  clients: AwsClients,
  deployment: Deployment,
  query: CloudLogQuery,
  emit: (line: CloudLogLine) => void,
  options: FollowOptions = {},
): Promise<void> {
  const arn = await findRunExecution(clients, deployment, query.expId, query.runId);
  const state = new FollowState();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let first = true; ; first = false) {
    const execution = await describeExecution(clients.sfn, arn);
    const running = execution.status === 'RUNNING';
    const sources = await resolveLogSources(
      clients,
      deployment,
      await executionJobIds(clients.sfn, arn),
      query,
    );
    const poll: Poll = {
      clients,
      state,
      tail: first ? query.tail : undefined,
      since: query.since?.getTime(),
    };
    const read: Pending[] = await readStreams(poll, sources.streams);
    for (const source of sources.named) read.push(...(await readNamed(poll, source)));
    for (const source of sources.prefixed)
      read.push(...(await readPrefixed(poll, source, execution, query.expId)));
    read.sort((a, b) => a.timestamp - b.timestamp);
    const shown = poll.tail !== undefined ? read.slice(Math.max(read.length - poll.tail, 0)) : read;
    (await label(clients, shown)).forEach(emit);
    if (!query.follow || !running) return;
    await sleep(options.intervalMs ?? 5_000);
  }
}
