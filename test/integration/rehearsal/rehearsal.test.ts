import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { freshBundle, loadRehearsalStack } from '../../../lib/rehearsal/index.js';
import { rehearse, type RehearsalRequest } from '../../../lib/rehearsal/rehearse.js';
import { rehearsalWorkflowResult } from '../../../lib/rehearsal/result.js';
import { startS3Server, type S3Server } from '../../../lib/rehearsal/s3-server.js';
import type { RehearsalStack } from '../../../lib/rehearsal/stack-reader.js';
import { createS3Client, S3Driver, Storage } from '../../../lib/storage/index.js';
import { countingLauncher, ROOT, tinyExperiment } from './support.js';

const FULL_RUN = [
  'PrepareRun',
  'StageA',
  'PlanStageB',
  'RouteStageB',
  'StageBArray',
  'OutputWanted',
  'StageC',
  'Done',
];

let stack: RehearsalStack;
let bundle: string;
let server: S3Server;
let storage: Storage;
const experiments: Record<number, string> = {};

beforeAll(async () => {
  bundle = await freshBundle(ROOT);
  stack = await loadRehearsalStack(ROOT);
  server = await startS3Server([stack.bucketName]);
  storage = new Storage(new S3Driver(createS3Client(server.env), stack.bucketName));
  for (const n of [1, 2, 200]) experiments[n] = await tinyExperiment(n);
});

afterAll(async () => {
  await server?.stop();
});

async function run(
  request: RehearsalRequest,
  extra: {
    stack?: RehearsalStack;
    extraEnv?: Record<string, string>;
    signal?: AbortSignal;
    onEvent?: Parameters<typeof rehearse>[1]['onEvent'];
  } = {},
) {
  const launcher = countingLauncher(server, bundle);
  const result = await rehearse(request, {
    stack: extra.stack ?? stack,
    s3Env: server.env,
    launcher,
    experiments: localExperiments,
    concurrency: 4,
    extraEnv: extra.extraEnv,
    signal: extra.signal,
    onEvent: extra.onEvent,
  });
  // Failures (expected or not) show their cause and the failing container's log, for diagnosis.
  if (result.status !== 'succeeded')
    process.stderr.write(`${rehearsalWorkflowResult(result).failure}\n`);
  return {
    result,
    launches: launcher.launches,
    layout: new RunLayout(request.expId, result.runId),
  };
}

describe('rehearsal of the synthesized state machine', () => {
  it('N = 1: one plain Stage B job with TASK_INDEX 0, outputs written, 8 transitions', async () => {
    const { result, layout } = await run({
      expId: 'tiny-1',
      runId: 'n1',
      experimentDir: experiments[1],
    });
    expect(result.cause).toBeUndefined();
    expect(result).toMatchObject({ status: 'succeeded', numTasks: 1, stateTransitions: 8 });
    expect(result.statesEntered).toEqual(
      FULL_RUN.map((s) => (s === 'StageBArray' ? 'StageBSingle' : s)),
    );
    const runner = result.jobs.find((j) => j.stage === 'runner');
    expect(runner).toMatchObject({ arraySize: undefined, status: 'SUCCEEDED' });
    expect(runner?.environment).toMatchObject({
      TASK_INDEX: '0',
      EXECUTION_MODE: 'cloud',
      S3_BUCKET: stack.bucketName,
    });
    expect(await storage.list(layout.resultsPrefix)).toEqual([layout.result(0)]);
    expect(
      (await storage.list(layout.outputsPrefix)).some((k) =>
        k.endsWith('quantiles_compartments.csv.gz'),
      ),
    ).toBe(true);
  });

  it('N = 2: one array job of two children', async () => {
    const { result, layout, launches } = await run({
      expId: 'tiny-2',
      runId: 'n2',
      experimentDir: experiments[2],
    });
    expect(result).toMatchObject({ status: 'succeeded', numTasks: 2, stateTransitions: 8 });
    expect(result.statesEntered).toEqual(FULL_RUN);
    expect(result.jobs.map((j) => [j.stage, j.arraySize])).toEqual([
      ['builder', undefined],
      ['runner', 2],
      ['output', undefined],
    ]);
    expect(launches).toBe(4);
    expect(await storage.list(layout.resultsPrefix)).toEqual([layout.result(0), layout.result(1)]);
  });

  it('N = 200: every task runs once in one array job; still 8 transitions', async () => {
    const { result, layout, launches } = await run({
      expId: 'tiny-200',
      runId: 'n200',
      experimentDir: experiments[200],
    });
    expect(result).toMatchObject({ status: 'succeeded', numTasks: 200, stateTransitions: 8 });
    expect(launches).toBe(202);
    expect(await storage.list(layout.resultsPrefix)).toHaveLength(200);
    expect(await storage.list(layout.outputsPrefix)).not.toHaveLength(0);
  });

  it('skip-output: Stage C never runs', async () => {
    const { result, layout } = await run({
      expId: 'tiny-2',
      runId: 'skip',
      experimentDir: experiments[2],
      skipOutput: true,
    });
    expect(result.cause).toBeUndefined();
    expect(result).toMatchObject({ status: 'succeeded', stateTransitions: 7 });
    expect(result.statesEntered).not.toContain('StageC');
    expect(await storage.list(layout.outputsPrefix)).toEqual([]);
    expect(await storage.list(layout.resultsPrefix)).toHaveLength(2);
  });
});

describe('rehearsal edge cases', () => {
  it('N = 0 fails with a clear cause before Stage B', async () => {
    const { result, launches } = await run({ expId: 'none', runId: 'n0', planOnlyTasks: 0 });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('Epycloud.NoTasks');
    expect(result.cause).toMatch(
      /Stage A \(builder\) produced 0 tasks for experiment none, run n0/,
    );
    expect(result.statesEntered).toEqual([
      'PrepareRun',
      'StageA',
      'PlanStageB',
      'RouteStageB',
      'NoTasks',
    ]);
    expect(launches).toBe(0);
  });

  it('N = 25,000 (planning only): split array jobs of 2..10,000 cover every index exactly once', async () => {
    const { result, launches } = await run({ expId: 'big', runId: 'n25k', planOnlyTasks: 25_000 });
    expect(result).toMatchObject({ status: 'succeeded', numTasks: 25_000 });
    expect(launches).toBe(0);
    const parts = result.jobs.filter((j) => j.stage === 'runner');
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const covered = new Uint8Array(25_000);
    for (const part of parts) {
      expect(part.arraySize).toBeGreaterThanOrEqual(2);
      expect(part.arraySize).toBeLessThanOrEqual(10_000);
      const offset = Number(part.environment.TASK_INDEX_OFFSET);
      for (let i = 0; i < (part.arraySize ?? 0); i++)
        covered[offset + i] = (covered[offset + i] ?? 0) + 1;
    }
    expect(covered.every((c) => c === 1)).toBe(true);
    expect(result.jobs.find((j) => j.stage === 'output')?.environment.NUM_TASKS).toBe('25000');
    // PrepareRun, StageA, PlanStageB, RouteStageB, StageBSplit, one StageBPart per job, OutputWanted, StageC, Done.
    expect(result.stateTransitions).toBe(8 + parts.length);
  });
});

describe('rehearsal failures and cancellation', () => {
  /** The dev environment, with the runner's injected-fault exit code (5) declared transient. */
  let retrying: RehearsalStack;
  beforeAll(async () => {
    retrying = await loadRehearsalStack(ROOT, undefined, {
      'epycloud:environments': { dev: { retry: { attempts: 3, transientExitCodes: [5, 6] } } },
    });
  });

  it('a task that fails its first attempt is retried by the job retry strategy and the run succeeds', async () => {
    const extraEnv = { EPYCLOUD_FAULT_TASKS: '1', EPYCLOUD_FAULT_ATTEMPTS: '1' };
    const { result, layout } = await run(
      { expId: 'tiny-2', runId: 'retry-ok', experimentDir: experiments[2] },
      { stack: retrying, extraEnv },
    );
    expect(result).toMatchObject({ status: 'succeeded', stateTransitions: 8 });
    const runner = result.jobs.find((j) => j.stage === 'runner');
    expect(runner?.attempts.filter((a) => a.index === 1).map((a) => a.exitCode)).toEqual([5, 0]);
    expect(await storage.list(layout.resultsPrefix)).toHaveLength(2);
  });

  it('a task that keeps failing exhausts its attempts: the execution fails and Stage C never runs', async () => {
    const extraEnv = { EPYCLOUD_FAULT_TASKS: '0' };
    const { result, layout } = await run(
      { expId: 'tiny-2', runId: 'retry-out', experimentDir: experiments[2] },
      { stack: retrying, extraEnv },
    );
    expect(result.status).toBe('failed');
    expect(result.error).toBe('States.TaskFailed');
    expect(JSON.parse(result.cause ?? '{}')).toMatchObject({
      Status: 'FAILED',
      ArrayProperties: { StatusSummary: { SUCCEEDED: 1, FAILED: 1 } },
    });
    expect(result.statesEntered).not.toContain('StageC');
    expect(
      result.jobs.find((j) => j.stage === 'runner')?.attempts.filter((a) => a.index === 0),
    ).toHaveLength(3);
    expect(await storage.list(layout.outputsPrefix)).toEqual([]);
  });

  it('a retry of a failed run reruns only the failed task: Stage A writes nothing, Stage B is one job of 1', async () => {
    const failing = { EPYCLOUD_FAULT_TASKS: '1', EPYCLOUD_FAULT_ATTEMPTS: '1' };
    const request = { expId: 'tiny-2', runId: 'retried', experimentDir: experiments[2] };
    const first = await run(request, { extraEnv: failing });
    expect(first.result.status).toBe('failed');
    const kept = await storage.get(first.layout.result(0));
    const retry = await run(request);
    expect(retry.result.status).toBe('succeeded');
    const stageB = retry.result.jobs.filter((j) => j.stage === 'runner');
    expect(stageB).toHaveLength(1);
    expect(stageB[0]!.arraySize).toBeUndefined(); // one task: a plain job, mapped to task 1
    expect(stageB[0]!.environment.TASK_MAP).toMatch(/builder-artifacts\/task-maps\//);
    expect(retry.launches).toBe(3); // Stage A (finds its build), the one task, Stage C
    expect(await storage.get(first.layout.result(0))).toEqual(kept);
    expect(await storage.exists(first.layout.result(1))).toBe(true);
    expect(await storage.list(first.layout.outputsPrefix)).not.toEqual([]);
  });

  it('with the default retry strategy a non-transient failure is not retried', async () => {
    const { result } = await run(
      { expId: 'tiny-2', runId: 'no-retry', experimentDir: experiments[2] },
      { extraEnv: { EPYCLOUD_FAULT_TASKS: '1', EPYCLOUD_FAULT_ATTEMPTS: '1' } },
    );
    expect(result.status).toBe('failed');
    expect(
      result.jobs.find((j) => j.stage === 'runner')?.attempts.filter((a) => a.index === 1),
    ).toHaveLength(1);
  });

  it('cancellation stops the execution and terminates the running containers; Stage C never runs', async () => {
    const controller = new AbortController();
    const onEvent = (e: { type: string; state?: { name: string } }) => {
      if (e.type === 'StateEntered' && e.state?.name === 'StageBArray')
        setTimeout(() => controller.abort(), 200);
    };
    const { result, layout } = await run(
      // the cache off: the earlier N = 200 run's results would leave Stage B nothing to cancel
      { expId: 'tiny-200', runId: 'cancel', experimentDir: experiments[200], noCache: true },
      { signal: controller.signal, onEvent },
    );
    expect(result.status).toBe('aborted');
    expect(result.statesEntered).not.toContain('StageC');
    expect(result.jobs.find((j) => j.stage === 'runner')?.status).toBe('FAILED');
    expect((await storage.list(layout.resultsPrefix)).length).toBeLessThan(200);
    expect(await storage.list(layout.outputsPrefix)).toEqual([]);
  });
  it('the task cache: an unchanged experiment run again computes no task and yields the same outputs; --no-cache computes all', async () => {
    const dir = await tinyExperiment(3);
    const request = { expId: 'tiny-cache', experimentDir: dir };
    const quantiles = async (layout: RunLayout) => {
      const key = (await storage.list(layout.outputsPrefix)).find((k) =>
        k.endsWith('quantiles_compartments.csv.gz'),
      );
      return storage.getText(key!);
    };
    const first = await run({ ...request, runId: 'cache-1' });
    expect(first.result.jobs.find((j) => j.stage === 'runner')?.arraySize).toBe(3);
    const second = await run({ ...request, runId: 'cache-2' });
    expect(second.result.status).toBe('succeeded');
    const builder = await storage.getJson<{ cache: unknown }>(second.layout.summary('builder'));
    expect(builder.cache).toEqual({ enabled: true, hits: 3, lookedUp: 3 });
    // every result exists after Stage A: PlanStageB's one task finds its result and exits
    expect(second.launches).toBe(3);
    expect(await quantiles(second.layout)).toBe(await quantiles(first.layout));
    expect(await storage.getJson(second.layout.runRecord)).toMatchObject({
      backend: 'rehearsal',
      state: 'succeeded',
      cache: { enabled: true },
    });
    const off = await run({ ...request, runId: 'cache-3', noCache: true });
    expect(off.result.jobs.find((j) => j.stage === 'runner')?.arraySize).toBe(3);
    expect(off.result.jobs.find((j) => j.stage === 'runner')?.environment).toMatchObject({
      EPYCLOUD_CACHE: 'off',
    });
  });
});
