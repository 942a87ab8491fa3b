import { describe, expect, it } from 'vitest';
import { cloudLogs, type CloudLogLine } from '../../../lib/cloud/logs.js';
import { readLogStream } from '../../../lib/cloud/log-streams.js';
import { addExecution, addJob, DEPLOYMENT, fakeWithStacks } from './fixtures.js';

const G = DEPLOYMENT.logGroupName;
const attempt = (stream: string) => ({ container: { logStreamName: stream } });

function runWithLogs() {
  const aws = fakeWithStacks();
  const execution = addExecution(aws, 'e--r', { expId: 'e', runId: 'r' });
  addJob(aws, {
    jobId: 'a',
    status: 'SUCCEEDED',
    tags: { 'epycloud:stage': 'builder' },
    attempts: [attempt('a/1')],
  });
  // Array job of 3 tasks: child 1 failed once, then succeeded (two attempts, two streams).
  addJob(
    aws,
    {
      jobId: 'b',
      status: 'SUCCEEDED',
      tags: { 'epycloud:stage': 'runner' },
      arrayProperties: { size: 3 },
    },
    [
      { status: 'SUCCEEDED', attempts: [attempt('b0/1')] },
      { status: 'SUCCEEDED', attempts: [attempt('b1/1'), attempt('b1/2')] },
      { status: 'SUCCEEDED', attempts: [attempt('b2/1')] },
    ],
  );
  aws.submitted(execution, 'a');
  aws.submitted(execution, 'b');
  const lines = (stream: string, t0: number, n: number) =>
    aws.logStreams.set(
      `${G}/${stream}`,
      Array.from({ length: n }, (_, i) => ({ timestamp: t0 + i, message: `${stream} line ${i}` })),
    );
  lines('a/1', 100, 5);
  lines('b0/1', 200, 1);
  lines('b1/1', 300, 3);
  lines('b1/2', 400, 4);
  lines('b2/1', 500, 2);
  return { aws, execution };
}

async function collect(
  aws: ReturnType<typeof runWithLogs>['aws'],
  query: Parameters<typeof cloudLogs>[2],
): Promise<CloudLogLine[]> {
  const out: CloudLogLine[] = [];
  await cloudLogs(aws.clients, DEPLOYMENT, query, (l) => out.push(l));
  return out;
}

describe('readLogStream', () => {
  it('pages until the forward token repeats and returns the token to resume from', async () => {
    const { aws } = runWithLogs();
    const { events, nextToken } = await readLogStream(aws.clients.logs, {
      logGroupName: G,
      logStreamName: 'a/1',
    });
    expect(events.map((e) => e.timestamp)).toEqual([100, 101, 102, 103, 104]);
    aws.logStreams.get(`${G}/a/1`)?.push({ timestamp: 105, message: 'late' });
    expect(
      (
        await readLogStream(
          aws.clients.logs,
          { logGroupName: G, logStreamName: 'a/1' },
          { nextToken },
        )
      ).events.map((e) => e.message),
    ).toEqual(['late']);
  });
});

describe('cloudLogs', () => {
  it('resolves array children and every attempt, oldest first', async () => {
    const { aws } = runWithLogs();
    const lines = await collect(aws, { expId: 'e', runId: 'r' });
    expect(lines).toHaveLength(15);
    expect(lines.filter((l) => l.taskIndex === 1).map((l) => `${l.attempt}:${l.message}`)).toEqual([
      '1:b1/1 line 0',
      '1:b1/1 line 1',
      '1:b1/1 line 2',
      '2:b1/2 line 0',
      '2:b1/2 line 1',
      '2:b1/2 line 2',
      '2:b1/2 line 3',
    ]);
  });

  it('filters by stage and task index (describing only that child), honours --tail and --since', async () => {
    const { aws } = runWithLogs();
    const one = await collect(aws, { expId: 'e', runId: 'r', stage: 'runner', taskIndex: 2 });
    expect(one.map((l) => l.message)).toEqual(['b2/1 line 0', 'b2/1 line 1']);
    expect(
      aws.calls.some(
        (c) => c.api === 'DescribeJobs' && (c.input as { jobs: string[] }).jobs.includes('b:0'),
      ),
    ).toBe(false);
    expect(
      (await collect(aws, { expId: 'e', runId: 'r', tail: 2 })).map((l) => l.timestamp),
    ).toEqual([500, 501]);
    expect(
      (await collect(aws, { expId: 'e', runId: 'r', since: new Date(403) })).map(
        (l) => l.timestamp,
      ),
    ).toEqual([403, 500, 501]);
  });

  it('finds the newest run of the experiment when no run id is given, and follows until the execution ends', async () => {
    const { aws, execution } = runWithLogs();
    const out: CloudLogLine[] = [];
    const sleep = async () => {
      aws.logStreams.get(`${G}/b2/1`)?.push({ timestamp: 600, message: 'new' });
      execution.status = 'SUCCEEDED';
    };
    await cloudLogs(aws.clients, DEPLOYMENT, { expId: 'e', follow: true }, (l) => out.push(l), {
      sleep,
    });
    expect(out).toHaveLength(16);
    expect(out.at(-1)?.message).toBe('new');
  });
});
