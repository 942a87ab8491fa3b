import type { StageName } from '../contract/layout.js';
import { NotFoundError } from '../errors.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';
import { describeExecution, executionJobIds, listExecutions } from './executions.js';
import { readLogStream, resolveLogStreams, type LogStreamRef } from './log-streams.js';
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

const lineOf = (ref: LogStreamRef, e: { timestamp: number; message: string }): CloudLogLine => ({
  stage: ref.stage,
  taskIndex: ref.taskIndex,
  attempt: ref.attempt,
  timestamp: e.timestamp,
  message: e.message,
});

/**
 * Prints a run's logs through `emit`: every stream of every attempt, all
 * pages, oldest first (`--tail N`: the last N lines). With `follow`, keeps
 * polling new lines until the execution has ended.
 */
export async function cloudLogs(
  clients: AwsClients,
  deployment: Deployment,
  query: CloudLogQuery,
  emit: (line: CloudLogLine) => void,
  options: FollowOptions = {},
): Promise<void> {
  const arn = await findRunExecution(clients, deployment, query.expId, query.runId);
  const tokens = new Map<string, string | undefined>();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let first = true; ; first = false) {
    const running = (await describeExecution(clients.sfn, arn)).status === 'RUNNING';
    const refs = await resolveLogStreams(
      clients,
      deployment,
      await executionJobIds(clients.sfn, arn),
      query,
    );
    const lines: CloudLogLine[] = [];
    for (const ref of refs) {
      const key = `${ref.logGroupName}/${ref.logStreamName}`;
      const since = query.since?.getTime();
      const { events, nextToken } = await readLogStream(clients.logs, ref, {
        nextToken: tokens.get(key),
        startTime: since,
      });
      tokens.set(key, nextToken);
      lines.push(...events.map((e) => lineOf(ref, e)));
    }
    lines.sort((a, b) => a.timestamp - b.timestamp);
    const shown =
      first && query.tail !== undefined
        ? lines.slice(Math.max(lines.length - query.tail, 0))
        : lines;
    shown.forEach(emit);
    if (!query.follow || !running) return;
    await sleep(options.intervalMs ?? 5_000);
  }
}
