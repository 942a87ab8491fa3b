import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import type { StageImage } from '../../../lib/contract/stage-image.js';
import { ValidationError } from '../../../lib/errors.js';
import { createLocalBackend } from '../../../lib/local/backend.js';
import { runLocalJob } from '../../../lib/local/job.js';
import { runLocalWorkflow } from '../../../lib/local/workflow.js';
import { readRunRecord } from '../../../lib/run/run-record.js';
import { fakeContext, fakeExec, fakeExperiments, removeTempDirs, tempPaths } from './fakes.js';

afterAll(removeTempDirs);

const stageImage: StageImage = { image: 'python-model:local' };
const base = { expId: 'examples/fake', parallelism: 2, retries: 0 };
const stages = (launches: readonly { stage: string }[]) => launches.map((l) => l.stage);

describe('a local run of an experiment with its own stage image', () => {
  it('runs every stage and task through the launcher made for the declared image, and records it', async () => {
    const { ctx, launcher, imageLaunchers, storage } = await fakeContext({
      numTasks: 3,
      stageImage,
    });
    const result = await runLocalWorkflow(ctx, { ...base, runId: 'r1' });
    expect(result).toMatchObject({
      status: 'succeeded',
      numTasks: 3,
      runtime: 'docker',
      image: 'python-model:local',
    });
    expect(launcher.launches).toEqual([]);
    expect(imageLaunchers.map((l) => l.declared)).toEqual([stageImage]);
    expect(stages(imageLaunchers[0]!.launcher.launches)).toEqual([
      'builder',
      'runner',
      'runner',
      'runner',
      'output',
    ]);
    const record = (await readRunRecord(storage, new RunLayout(base.expId, 'r1')))!;
    expect(record.stageCode).toEqual({
      kind: 'image',
      image: 'python-model:local',
      digest: 'sha256:fake',
    });
    expect(record.runtime).toBe('docker');
  });

  it('plans a dry run naming the image, starting and writing nothing', async () => {
    const { ctx, imageLaunchers, experiments, storage } = await fakeContext({
      numTasks: 3,
      stageImage,
    });
    const plan = await runLocalWorkflow(ctx, { ...base, runId: 'r1', dryRun: true });
    expect(plan).toMatchObject({ status: 'planned', numTasks: 0, image: 'python-model:local' });
    expect(imageLaunchers[0]!.launcher.launches).toEqual([]);
    expect(experiments.snapshots).toBe(0);
    expect(await storage.list('')).toEqual([]);
  });

  it('resumes in the image its snapshot names, whatever the folder says now', async () => {
    const { ctx, launcher, imageLaunchers, experiments } = await fakeContext({
      numTasks: 2,
      stageImage,
      failStages: new Set(['output']),
    });
    expect((await runLocalWorkflow(ctx, { ...base, runId: 'r1' })).status).toBe('failed');
    experiments.stageImage = { image: 'python-model:other' };
    const resumed = await runLocalWorkflow(ctx, { ...base, resume: 'r1' });
    expect(resumed.image).toBe('python-model:local');
    expect(imageLaunchers.map((l) => l.declared.image)).toEqual([
      'python-model:local',
      'python-model:local',
    ]);
    expect(stages(imageLaunchers[1]!.launcher.launches)).toEqual(['output']);
    expect(launcher.launches).toEqual([]);
  });

  it('resumes a run of the built-in engine with its launcher, even when the folder now names an image', async () => {
    const { ctx, launcher, imageLaunchers, experiments } = await fakeContext({
      numTasks: 2,
      failStages: new Set(['output']),
    });
    await runLocalWorkflow(ctx, { ...base, runId: 'r1' });
    experiments.stageImage = stageImage;
    const resumed = await runLocalWorkflow(ctx, { ...base, resume: 'r1' });
    expect(resumed.image).toBeUndefined();
    expect(imageLaunchers).toEqual([]);
    expect(stages(launcher.launches)).toEqual(['builder', 'runner', 'runner', 'output', 'output']);
  });

  it('runs a job (one task, or Stage A of a run without a snapshot) in the image the run names', async () => {
    const { ctx, launcher, imageLaunchers, experiments } = await fakeContext({
      numTasks: 3,
      stageImage,
    });
    const job = { ...base, runId: 'j1' };
    expect((await runLocalJob(ctx, { ...job, stage: 'builder' })).status).toBe('succeeded');
    expect(experiments.snapshots).toBe(1);
    experiments.stageImage = undefined;
    const task = await runLocalJob(ctx, { ...job, stage: 'runner', taskIndex: 1 });
    expect(task).toMatchObject({ status: 'succeeded', numTasks: 3, runtime: 'docker' });
    expect(imageLaunchers.map((l) => stages(l.launcher.launches))).toEqual([
      ['builder'],
      ['runner'],
    ]);
    expect(launcher.launches).toEqual([]);
  });
});

describe('--runtime process with an experiment run by its own image', () => {
  const backend = async () => {
    const paths = await tempPaths();
    const experiments = fakeExperiments(3, stageImage);
    const exec = fakeExec({});
    return {
      paths,
      experiments,
      exec,
      local: createLocalBackend({
        paths,
        runtime: 'process',
        hostEnv: {},
        user: { uid: 1, gid: 1 },
        experiments,
        exec,
      }),
    };
  };

  it.each([
    ['a new run', {}],
    ['a dry run', { dryRun: true }],
  ])('refuses %s before anything is written, saying to use Docker', async (_, extra) => {
    const { paths, experiments, exec, local } = await backend();
    const error = await local
      .runWorkflow({ ...base, runId: 'r1', ...extra }, () => {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /own stage image python-model:local.*--runtime docker/s,
    );
    expect(experiments.snapshots).toBe(0);
    expect(exec.calls).toEqual([]);
    expect(await readdir(paths.bucketDir).catch(() => [])).toEqual([]);
  });

  it('refuses Stage A of a job the same way', async () => {
    const { paths, experiments, local } = await backend();
    await expect(
      local.runJob({ ...base, runId: 'j1', stage: 'builder' }, () => {}),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(experiments.snapshots).toBe(0);
    expect(await readdir(paths.bucketDir).catch(() => [])).toEqual([]);
  });
});
