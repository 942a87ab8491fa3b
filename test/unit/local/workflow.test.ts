import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../lib/contract/env.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { EnvironmentError, ValidationError } from '../../../lib/errors.js';
import { runLocalWorkflow } from '../../../lib/local/workflow.js';
import { LocalDriver, Storage } from '../../../lib/storage/index.js';
import { fakeContext, fakeLauncher, removeTempDirs } from './fakes.js';

afterAll(removeTempDirs);

const base = { expId: 'examples/fake', parallelism: 2, retries: 2 };

describe('runLocalWorkflow', () => {
  it('runs A, the N tasks in parallel, then C with NUM_TASKS, and reports outputs and durations', async () => {
    const { ctx, launcher, storage } = await fakeContext({ numTasks: 5, taskMs: 10 });
    const result = await runLocalWorkflow(ctx, { ...base, runId: 'r1' });
    expect(result).toMatchObject({
      status: 'succeeded',
      runId: 'r1',
      numTasks: 5,
      failedTasks: [],
      runtime: 'process',
    });
    expect(launcher.launches.map((l) => l.stage)).toEqual([
      'builder',
      ...Array(5).fill('runner'),
      'output',
    ]);
    expect(launcher.maxRunning).toBe(2);
    expect(launcher.launches.at(-1)!.env[ENV.numTasks]).toBe('5');
    expect(Object.keys(result.durationsMs).sort()).toEqual(['builder', 'output', 'runner']);
    expect(result.outputs).toMatch(/bucket\/examples\/fake\/runs\/r1\/outputs\/20260101-000000$/);
    expect(
      await storage.exists(
        new RunLayout('examples/fake', 'r1').experimentFile('config/model.yaml'),
      ),
    ).toBe(true);
  });

  it('validates with the reference date and output config, and gives them to Stage A', async () => {
    const { ctx, launcher, experiments } = await fakeContext({ numTasks: 2 });
    await runLocalWorkflow(ctx, {
      ...base,
      runId: 'r1',
      referenceDate: '2024-12-14',
      outputConfigFile: 'o.yaml',
    });
    expect(experiments.validated).toEqual([
      { referenceDate: '2024-12-14', outputConfigFile: 'o.yaml' },
    ]);
    const builder = launcher.launches.find((l) => l.stage === 'builder')!;
    expect(builder.env).toMatchObject({
      [ENV.referenceDate]: '2024-12-14',
      [ENV.outputConfigFile]: 'o.yaml',
    });
    expect(
      launcher.launches
        .filter((l) => l.stage === 'runner')
        .every((l) => l.env[ENV.referenceDate] === undefined),
    ).toBe(true);
  });

  it('sets no REFERENCE_DATE when none is given', async () => {
    const { ctx, launcher } = await fakeContext({ numTasks: 1 });
    await runLocalWorkflow(ctx, { ...base, runId: 'r1' });
    expect(launcher.launches.some((l) => ENV.referenceDate in l.env)).toBe(false);
  });

  it('passes each task its index, the run and the host bucket dir, and logs under the run', async () => {
    const { ctx, launcher } = await fakeContext({ numTasks: 2 });
    await runLocalWorkflow(ctx, { ...base, runId: 'r1' });
    const task = launcher.launches.find(
      (l) => l.stage === 'runner' && l.env[ENV.taskIndex] === '1',
    )!;
    expect(task.env).toMatchObject({
      EXECUTION_MODE: 'local',
      EXP_ID: 'examples/fake',
      RUN_ID: 'r1',
      LOCAL_BUCKET_DIR: ctx.paths.bucketDir,
    });
    expect(task.logFile).toBe(`${ctx.paths.bucketDir}/examples/fake/runs/r1/logs/runner_00001.log`);
  });

  it('retries a task that fails its first attempt and succeeds', async () => {
    const { ctx } = await fakeContext({ numTasks: 3, failFirst: new Map([[1, 1]]) });
    const result = await runLocalWorkflow(ctx, { ...base, runId: 'r1' });
    expect(result).toMatchObject({ status: 'succeeded', retriedTasks: [1], failedTasks: [] });
  });

  it('stops before Stage C and names the failed indexes when tasks keep failing', async () => {
    const fail = new Map([
      [0, Infinity],
      [3, Infinity],
    ]);
    const { ctx, launcher } = await fakeContext({ numTasks: 4, failFirst: fail });
    const result = await runLocalWorkflow(ctx, { ...base, runId: 'r1', retries: 1 });
    expect(result.status).toBe('failed');
    expect(result.failedTasks).toEqual([0, 3]);
    expect(result.failure).toMatch(
      /task\(s\) 0, 3 of 4 failed after 2 attempt\(s\); Stage output did not run/,
    );
    expect(result.failure).toMatch(/--resume r1/);
    expect(launcher.launches.some((l) => l.stage === 'output')).toBe(false);
    expect(launcher.launches.filter((l) => l.env[ENV.taskIndex] === '0')).toHaveLength(2);
  });

  it('resumes a failed run: keeps the id, reruns only missing results, skips Stage A', async () => {
    const { ctx, launcher, experiments } = await fakeContext({
      numTasks: 4,
      failFirst: new Map([[2, 1]]),
    });
    const first = await runLocalWorkflow(ctx, { ...base, runId: 'r1', retries: 0 });
    expect(first.failedTasks).toEqual([2]);
    launcher.launches.length = 0;
    const second = await runLocalWorkflow(ctx, { ...base, resume: 'r1', retries: 0 });
    expect(second).toMatchObject({ status: 'succeeded', runId: 'r1', numTasks: 4 });
    expect(launcher.launches.map((l) => `${l.stage}${l.env[ENV.taskIndex] ?? ''}`)).toEqual([
      'runner2',
      'output',
    ]);
    expect(experiments.snapshots).toBe(1);
  });

  it('refuses to resume a run that does not exist, or with a different --run-id', async () => {
    const { ctx } = await fakeContext({ numTasks: 1 });
    await expect(runLocalWorkflow(ctx, { ...base, resume: 'nope' })).rejects.toThrow(
      /Cannot resume run nope/,
    );
    await expect(runLocalWorkflow(ctx, { ...base, resume: 'a', runId: 'b' })).rejects.toThrow(
      /disagree/,
    );
  });

  it('refuses to reuse an existing run id without --yes, and replaces it with --yes', async () => {
    const { ctx, storage } = await fakeContext({ numTasks: 1 });
    await runLocalWorkflow(ctx, { ...base, runId: 'r1' });
    const stale = new RunLayout('examples/fake', 'r1').result(7);
    await storage.put(stale, 'old');
    await expect(runLocalWorkflow(ctx, { ...base, runId: 'r1' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const again = await runLocalWorkflow(ctx, { ...base, runId: 'r1', yes: true });
    expect(again.status).toBe('succeeded');
    expect(await storage.exists(stale)).toBe(false);
  });

  it.each(['memory', 'local bucket'])(
    "keeps nested experiments apart on %s storage: a run never lands in, or replaces, another experiment's run",
    async (kind) => {
      const fake = await fakeContext({ numTasks: 1 });
      const storage =
        kind === 'memory' ? fake.storage : new Storage(new LocalDriver(fake.ctx.paths.bucketDir));
      const ctx = { ...fake.ctx, storage, launcher: fakeLauncher(storage, { numTasks: 1 }) };
      for (const id of ['rel/coll', 'rel/coll/r1'])
        await mkdir(join(ctx.paths.experimentsDir, ...id.split('/'), 'config'), {
          recursive: true,
        });
      const parent = new RunLayout('rel/coll', 'r1');
      await runLocalWorkflow(ctx, { ...base, expId: 'rel/coll', runId: 'r1' });
      const parentKeys = await storage.list(parent.prefix);
      await runLocalWorkflow(ctx, { ...base, expId: 'rel/coll/r1', runId: 'r2' });
      await runLocalWorkflow(ctx, { ...base, expId: 'rel/coll/r1', runId: 'r2', yes: true });
      const nestedKeys = await storage.list(new RunLayout('rel/coll/r1', 'r2').prefix);
      expect(nestedKeys.length).toBeGreaterThan(0);
      expect(await storage.list(parent.prefix)).toEqual(parentKeys);
      await runLocalWorkflow(ctx, { ...base, expId: 'rel/coll', runId: 'r1', yes: true });
      expect(await storage.list(new RunLayout('rel/coll/r1', 'r2').prefix)).toEqual(nestedKeys);
      await expect(
        runLocalWorkflow(ctx, {
          ...base,
          expId: 'rel/coll/r1',
          runId: 'runner-artifacts',
          yes: true,
        }),
      ).rejects.toThrow(
        /Invalid run id "runner-artifacts": "runner-artifacts" is a folder name of the run layout/,
      );
    },
  );

  it('stops when Stage A fails, and skips Stage C with skipOutput', async () => {
    const failing = await fakeContext({ numTasks: 2, failStages: new Set(['builder']) });
    const failed = await runLocalWorkflow(failing.ctx, { ...base, runId: 'r1' });
    expect(failed).toMatchObject({
      status: 'failed',
      failure: expect.stringMatching(/Stage builder failed \(exit code 5\)/),
    });
    expect(failing.launcher.launches).toHaveLength(1);
    const skipping = await fakeContext({ numTasks: 2 });
    const skipped = await runLocalWorkflow(skipping.ctx, {
      ...base,
      runId: 'r1',
      skipOutput: true,
    });
    expect(skipped.status).toBe('succeeded');
    expect(skipped.outputs).toBeUndefined();
    expect(skipping.launcher.launches.map((l) => l.stage)).not.toContain('output');
  });

  it('plans a dry run without writing or launching anything', async () => {
    const { ctx, launcher, storage } = await fakeContext({ numTasks: 3 });
    const plan = await runLocalWorkflow(ctx, { ...base, dryRun: true });
    expect(plan).toMatchObject({ status: 'planned', numTasks: 3 });
    expect(plan.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{8}$/);
    expect(launcher.launches).toEqual([]);
    expect(await storage.list('')).toEqual([]);
  });

  it('names where experiments live when the id has no config folder', async () => {
    const { ctx } = await fakeContext({ numTasks: 1 });
    await expect(runLocalWorkflow(ctx, { ...base, expId: 'examples/missing' })).rejects.toThrow(
      /Experiment "examples\/missing" not found: expected its configs in .*examples\/missing\/config/,
    );
  });

  it('validates the experiment before asking the runtime, and writes nothing when the runtime is not ready', async () => {
    const { ctx, storage } = await fakeContext({ numTasks: 1 });
    const asked: string[] = [];
    const ready = async (): Promise<void> => {
      asked.push('ready');
      throw new EnvironmentError('no engine');
    };
    const launcher = { runtime: ctx.launcher.runtime, launch: ctx.launcher.launch, ready };
    await expect(
      runLocalWorkflow({ ...ctx, launcher }, { ...base, expId: 'examples/missing' }),
    ).rejects.toThrow(/not found/);
    expect(asked).toEqual([]);
    await expect(runLocalWorkflow({ ...ctx, launcher }, base)).rejects.toThrow(/no engine/);
    expect(asked).toEqual(['ready']);
    expect(await storage.list('')).toEqual([]);
  });
});
