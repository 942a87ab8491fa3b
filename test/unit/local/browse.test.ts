import { afterAll, describe, expect, it } from 'vitest';
import { listLocalExperiments, readLocalLogs } from '../../../lib/local/browse.js';
import { groupRuns } from '../../../lib/run/run-listing.js';
import { runLocalJob } from '../../../lib/local/job.js';
import { runLocalWorkflow } from '../../../lib/local/workflow.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { fakeContext, removeTempDirs } from './fakes.js';

afterAll(removeTempDirs);

describe('groupRuns', () => {
  it('finds nested experiment ids and run ids from bucket keys', () => {
    const runs = groupRuns([
      '202605/flu-a/runs/r1/builder-artifacts/manifest.json',
      '202605/flu-a/runs/r1/logs/runner_00000.log',
      'examples/seir-ma/runs/r2/outputs/x/q.csv',
      'stray/file.txt',
      'old-layout/r0/outputs/x/q.csv',
    ]);
    expect([...runs.keys()]).toEqual(['202605/flu-a', 'examples/seir-ma']);
    expect(runs.get('202605/flu-a')!.get('r1')).toEqual([
      'builder-artifacts/manifest.json',
      'logs/runner_00000.log',
    ]);
  });

  it('keeps a nested experiment apart from the runs of its parent', () => {
    const runs = groupRuns([
      new RunLayout('rel/coll', 'r1').manifest,
      new RunLayout('rel/coll/r1', 'logs-x').manifest,
    ]);
    expect([...runs].map(([exp, byRun]) => [exp, [...byRun.keys()]])).toEqual([
      ['rel/coll', ['r1']],
      ['rel/coll/r1', ['logs-x']],
    ]);
  });
});

describe('local browsing', () => {
  it('lists configured experiments with their runs and states', async () => {
    const { ctx, storage } = await fakeContext({ numTasks: 2 });
    await runLocalWorkflow(ctx, {
      expId: 'examples/fake',
      runId: 'done',
      parallelism: 1,
      retries: 0,
    });
    await storage.putJson(new RunLayout('old/exp', 'r0').manifest, {});
    const list = await listLocalExperiments(ctx.paths, storage);
    expect(list.map((e) => [e.expId, e.hasConfig])).toEqual([
      ['examples/fake', true],
      ['old/exp', false],
    ]);
    expect(list[0]!.runs).toEqual([
      {
        runId: 'done',
        state: 'complete',
        numTasks: 2,
        results: 2,
        outputs: 1,
        record: { state: 'succeeded', startedBy: 'unknown' },
      },
    ]);
    expect(list[1]!.runs[0]!.record).toBeUndefined();
  });

  it('never counts an output folder without index.json (an interrupted Stage C) as an output', async () => {
    const { ctx, storage } = await fakeContext({ numTasks: 2 });
    await runLocalWorkflow(ctx, {
      expId: 'examples/fake',
      runId: 'done',
      parallelism: 1,
      retries: 0,
    });
    const layout = new RunLayout('examples/fake', 'cut');
    await storage.putJson(layout.manifest, {});
    await storage.put(`${layout.outputDir('20260101-000000')}quantiles.csv`, 'partial');
    await storage.put(
      `${new RunLayout('examples/fake', 'done').outputDir('20260102-000000')}quantiles.csv`,
      'partial',
    );
    const runs = (await listLocalExperiments(ctx.paths, storage))[0]!.runs;
    expect(runs.find((r) => r.runId === 'cut')).toMatchObject({ state: 'built', outputs: 0 });
    expect(runs.find((r) => r.runId === 'done')).toMatchObject({ state: 'complete', outputs: 1 });
  });

  it('reads the logs of a run by stage and task, and names what is missing', async () => {
    const { ctx, storage } = await fakeContext({ numTasks: 2 });
    const layout = new RunLayout('examples/fake', 'r1');
    await storage.put(layout.log('builder'), 'A');
    await storage.put(layout.log('runner', 1), 'B1');
    await storage.put(layout.log('runner', 0), 'B0');
    const all = await readLocalLogs(ctx.paths, storage, { expId: 'examples/fake', runId: 'r1' });
    expect(all.map((e) => `${e.stage}${e.taskIndex ?? ''}=${e.text}`)).toEqual([
      'builder=A',
      'runner0=B0',
      'runner1=B1',
    ]);
    const one = await readLocalLogs(ctx.paths, storage, {
      expId: 'examples/fake',
      runId: 'r1',
      stage: 'runner',
      taskIndex: 1,
    });
    expect(one.map((e) => e.text)).toEqual(['B1']);
    await expect(
      readLocalLogs(ctx.paths, storage, { expId: 'examples/fake', runId: 'r1', stage: 'output' }),
    ).rejects.toThrow(/No logs for output/);
    await expect(readLocalLogs(ctx.paths, storage, { expId: 'examples/none' })).rejects.toThrow(
      /No runs of experiment "examples\/none"/,
    );
  });
});

describe('runLocalJob', () => {
  it('runs Stage A alone (snapshotting first), then one task, then Stage C with NUM_TASKS', async () => {
    const { ctx, launcher, experiments } = await fakeContext({ numTasks: 3 });
    const job = { expId: 'examples/fake', runId: 'j1', parallelism: 2, retries: 0 };
    expect((await runLocalJob(ctx, { ...job, stage: 'builder' })).numTasks).toBe(3);
    expect(experiments.snapshots).toBe(1);
    const task = await runLocalJob(ctx, { ...job, stage: 'runner', taskIndex: 2 });
    expect(task).toMatchObject({ status: 'succeeded', runner: { tasksRun: 1 } });
    const out = await runLocalJob(ctx, { ...job, stage: 'output', numTasks: 3 });
    expect(out.outputs).toMatch(/outputs\/20260101-000000$/);
    expect(
      launcher.launches.map((l) => `${l.stage}:${l.env.TASK_INDEX ?? ''}:${l.env.NUM_TASKS ?? ''}`),
    ).toEqual(['builder::', 'runner:2:', 'output::3']);
  });

  it('validates and runs Stage A with --reference-date', async () => {
    const { ctx, launcher, experiments } = await fakeContext({ numTasks: 1 });
    await runLocalJob(ctx, {
      expId: 'examples/fake',
      runId: 'j3',
      parallelism: 1,
      retries: 0,
      stage: 'builder',
      referenceDate: '2024-12-14',
    });
    expect(experiments.validated).toEqual([
      { referenceDate: '2024-12-14', outputConfigFile: undefined },
    ]);
    expect(launcher.launches[0]!.env.REFERENCE_DATE).toBe('2024-12-14');
  });

  it('runs every task of the manifest when no index is given, and refuses without a manifest', async () => {
    const { ctx, launcher } = await fakeContext({ numTasks: 2 });
    const job = {
      expId: 'examples/fake',
      runId: 'j2',
      parallelism: 2,
      retries: 0,
      stage: 'runner' as const,
    };
    await expect(runLocalJob(ctx, job)).rejects.toThrow(/has no manifest/);
    await runLocalJob(ctx, { ...job, stage: 'builder' });
    const all = await runLocalJob(ctx, job);
    expect(all.runner?.tasksRun).toBe(2);
    expect(launcher.launches.filter((l) => l.stage === 'runner')).toHaveLength(2);
  });
});
