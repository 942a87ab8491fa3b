import { describe, expect, it } from 'vitest';
import { cloudLogs, type CloudLogLine, type CloudLogQuery } from '../../../lib/cloud/logs.js';
import { addExecution, addJob, DEPLOYMENT, fakeWithStacks, type FakeJob } from './fixtures.js';

const G = DEPLOYMENT.logGroupName;
const N = 10_000;
/** When the run was submitted: the log window starts here (FilterLogEvents newest-first needs >= 2024). */
const T0 = Date.UTC(2026, 10, 2, 12);
/** The tasks that failed once and succeeded on their second attempt. */
const RETRIED = new Set([17, 4242, 9998]);

const logging = (prefix: string) => ({
  logDriver: 'awslogs' as const,
  options: { 'awslogs-group': G, 'awslogs-stream-prefix': prefix },
});
/** A line as the stages write it (lib/log.ts). */
const json = (run: string, stage: string, message: string, taskIndex?: number) =>
  JSON.stringify({
    time: 'x',
    level: 'info',
    stage,
    exp_id: 'big',
    run_id: run,
    ...(taskIndex === undefined ? {} : { task_index: taskIndex }),
    message,
  });

/**
 * A running execution with Stage A done and Stage B one array job of 10,000
 * children, Batch-named streams `<prefix>/default/<ECS task id>`, two lines per
 * attempt (a retried task's first attempt ends with a plain stack-trace line),
 * and a concurrent run of another experiment writing to the same stream prefix.
 */
function bigRun() {
  const aws = fakeWithStacks();
  const execution = addExecution(aws, 'big--r9', { expId: 'big', runId: 'r9' });
  const set = (stream: string, events: { timestamp: number; message: string }[]) =>
    aws.logStreams.set(`${G}/${stream}`, events);
  addJob(aws, {
    jobId: 'a',
    status: 'SUCCEEDED',
    tags: { 'epycloud:stage': 'builder' },
    createdAt: T0,
    stoppedAt: T0 + 50_000,
    attempts: [{ container: { logStreamName: 'builder/default/a1' } }],
    container: { logStreamName: 'builder/default/a1', logConfiguration: logging('builder') },
  });
  set('builder/default/a1', [
    { timestamp: T0 + 1_000, message: json('r9', 'builder', 'building') },
    { timestamp: T0 + 2_000, message: json('r9', 'builder', 'built 10000 inputs') },
  ]);
  const children: FakeJob[] = [];
  for (let i = 0; i < N; i++) {
    const at = T0 + 60_000 + i * 100;
    const streams = RETRIED.has(i) ? [`t${i}-1`, `t${i}-2`] : [`t${i}-1`];
    children.push({
      status: 'SUCCEEDED',
      attempts: streams.map((s) => ({ container: { logStreamName: `runner/default/${s}` } })),
      container: { logStreamName: `runner/default/${streams.at(-1)}` },
    });
    streams.forEach((s, a) => {
      const t = at + a * 500;
      set(`runner/default/${s}`, [
        { timestamp: t, message: json('r9', 'runner', `task ${i} attempt ${a + 1} starts`, i) },
        a + 1 < streams.length
          ? { timestamp: t + 1, message: `Error: task ${i} crashed\n    at runner.ts:1` }
          : { timestamp: t + 1, message: json('r9', 'runner', `task ${i} done`, i) },
      ]);
    });
  }
  addJob(
    aws,
    {
      jobId: 'b',
      status: 'RUNNING',
      tags: { 'epycloud:stage': 'runner' },
      createdAt: T0 + 55_000,
      arrayProperties: { size: N, statusSummary: { SUCCEEDED: N } },
      container: {
        environment: [
          { name: 'EXP_ID', value: 'big' },
          { name: 'RUN_ID', value: 'r9' },
        ],
        logConfiguration: logging('runner'),
      },
    },
    children,
  );
  aws.submitted(execution, 'a');
  aws.submitted(execution, 'b');
  // Another run's runner, same log group and prefix, interleaved in time up to the very end.
  for (let i = 0; i < 500; i++)
    set(`runner/default/other${i}`, [
      {
        timestamp: T0 + 60_000 + i * 2_100 + 7,
        message: json('other', 'runner', `someone else's task ${i}`, i),
      },
    ]);
  set('runner/default/other-last', [
    { timestamp: T0 + 3_000_000, message: json('other', 'runner', 'newest of all', 1) },
  ]);
  return { aws, execution };
}

async function measured(
  aws: ReturnType<typeof bigRun>['aws'],
  query: CloudLogQuery,
): Promise<{ lines: CloudLogLine[]; calls: number }> {
  const before = aws.apiCallCount();
  const lines: CloudLogLine[] = [];
  await cloudLogs(aws.clients, DEPLOYMENT, query, (l) => lines.push(l));
  console.log(
    'CALLS',
    JSON.stringify(query),
    aws.apiCallCount() - before,
    JSON.stringify(aws.apiCallsByName()),
  );
  return { lines, calls: aws.apiCallCount() - before };
}

describe('cloudLogs of a 10,000-task array job', () => {
  it('shows the last 50 lines of Stage B in a bounded number of calls, attempts and tasks labelled', async () => {
    const { aws } = bigRun();
    const { lines, calls } = await measured(aws, {
      expId: 'big',
      runId: 'r9',
      stage: 'runner',
      tail: 50,
    });
    // Before: 101 DescribeJobs + 20,006 GetLogEvents. Now: the execution, its history, the
    // array job, one newest-first FilterLogEvents page, the shown children's attempts.
    expect(calls).toBeLessThanOrEqual(6);
    expect(aws.count('DescribeJobs')).toBe(2);
    expect(aws.count('GetLogEvents')).toBe(0);
    expect(lines).toHaveLength(50);
    expect(lines.every((l) => l.stage === 'runner')).toBe(true);
    expect(lines.some((l) => l.message.includes('someone else'))).toBe(false);
    // Task 9998's second attempt is the newest thing of the run.
    expect(
      lines.slice(-2).map((l) => [l.taskIndex, l.attempt, JSON.parse(l.message).message]),
    ).toEqual([
      [9998, 2, 'task 9998 attempt 2 starts'],
      [9998, 2, 'task 9998 done'],
    ]);
    const last = lines.at(-3);
    expect([last?.taskIndex, last?.attempt, JSON.parse(last?.message ?? '{}').message]).toEqual([
      9999,
      1,
      'task 9999 done',
    ]);
    expect(lines.map((l) => l.timestamp)).toEqual(
      [...lines.map((l) => l.timestamp)].sort((a, b) => a - b),
    );
    const crash = lines.find((l) => l.message.startsWith('Error: task 9998 crashed'));
    expect([crash?.taskIndex, crash?.attempt]).toEqual([9998, 1]);
  });

  it("reads one task's logs by describing only that child", async () => {
    const { aws } = bigRun();
    const { lines, calls } = await measured(aws, { expId: 'big', runId: 'r9', taskIndex: 4242 });
    expect(calls).toBeLessThanOrEqual(10);
    expect(aws.count('DescribeJobs')).toBe(2);
    expect(lines.map((l) => [l.stage, l.taskIndex, l.attempt, l.message.split('\n')[0]])).toEqual([
      ['runner', 4242, 1, json('r9', 'runner', 'task 4242 attempt 1 starts', 4242)],
      ['runner', 4242, 1, 'Error: task 4242 crashed'],
      ['runner', 4242, 2, json('r9', 'runner', 'task 4242 attempt 2 starts', 4242)],
      ['runner', 4242, 2, json('r9', 'runner', 'task 4242 done', 4242)],
    ]);
    const tail = await measured(aws, { expId: 'big', runId: 'r9', taskIndex: 4242, tail: 1 });
    expect(tail.calls).toBeLessThanOrEqual(6);
    expect(tail.lines.map((l) => l.message)).toEqual([
      json('r9', 'runner', 'task 4242 done', 4242),
    ]);
  });

  it('follows the whole run: the first poll reads every line in a bounded number of calls, later polls only what is new', async () => {
    const { aws, execution } = bigRun();
    const polls: number[] = [];
    const lines: CloudLogLine[] = [];
    let start = aws.apiCallCount();
    const sleep = async () => {
      polls.push(aws.apiCallCount() - start);
      start = aws.apiCallCount();
      aws.logStreams.get(`${G}/runner/default/t9999-1`)?.push({
        timestamp: T0 + 3_100_000,
        message: json('r9', 'runner', 'task 9999 late line', 9999),
      });
      execution.status = 'SUCCEEDED';
    };
    await cloudLogs(
      aws.clients,
      DEPLOYMENT,
      { expId: 'big', runId: 'r9', follow: true },
      (l) => lines.push(l),
      { sleep },
    );
    polls.push(aws.apiCallCount() - start);
    // Before: 20,111 calls, then 10,108 per poll.
    expect(polls[0]).toBeLessThanOrEqual(10);
    expect(polls[1]).toBeLessThanOrEqual(6);
    // Attempts came from the order of the streams: no child was described.
    expect(aws.count('DescribeJobs')).toBe(2);
    // 2 builder lines, 2 per attempt of every task, then the late line.
    expect(lines).toHaveLength(2 + 2 * (N + RETRIED.size) + 1);
    expect(lines.at(-1)?.message).toContain('late line');
    expect(lines.some((l) => l.message.includes('someone else'))).toBe(false);
    const crash = lines.find((l) => l.message.startsWith('Error: task 17 crashed'));
    expect([crash?.taskIndex, crash?.attempt]).toEqual([17, 1]);
    expect(lines.filter((l) => l.taskIndex === 17).map((l) => l.attempt)).toEqual([1, 1, 2, 2]);
    expect(new Set(lines.filter((l) => l.stage === 'runner').map((l) => l.taskIndex)).size).toBe(N);
  });

  it('follows with --tail 50: a bounded first poll', async () => {
    const { aws, execution } = bigRun();
    const polls: number[] = [];
    const lines: CloudLogLine[] = [];
    let start = aws.apiCallCount();
    const sleep = async () => {
      polls.push(aws.apiCallCount() - start);
      start = aws.apiCallCount();
      execution.status = 'SUCCEEDED';
    };
    await cloudLogs(
      aws.clients,
      DEPLOYMENT,
      { expId: 'big', runId: 'r9', follow: true, tail: 50 },
      (l) => lines.push(l),
      { sleep },
    );
    polls.push(aws.apiCallCount() - start);
    expect(polls[0]).toBeLessThanOrEqual(8);
    expect(polls[1]).toBeLessThanOrEqual(6);
    expect(lines).toHaveLength(50);
  });

  it('with --since, describes only the children of the lines shown', async () => {
    const { aws } = bigRun();
    const since = new Date(T0 + 60_000 + 9_990 * 100);
    const { lines, calls } = await measured(aws, {
      expId: 'big',
      runId: 'r9',
      stage: 'runner',
      since,
    });
    expect(calls).toBeLessThanOrEqual(6);
    expect([...new Set(lines.map((l) => l.taskIndex))]).toEqual([
      9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999,
    ]);
    expect(lines.filter((l) => l.taskIndex === 9998).map((l) => l.attempt)).toEqual([1, 1, 2, 2]);
  });
});
