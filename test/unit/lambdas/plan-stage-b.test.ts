import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../../lambdas/plan-stage-b/handler.js';
import { planRun } from '../../../lambdas/plan-stage-b/plan.js';
import { PLAN_BUCKET_VAR } from '../../../lib/contract/lambda-config.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import type { RunSpec } from '../../../lib/contract/pipeline.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';

const run = {
  expId: 'flu/a',
  runId: 'r1',
  dirPrefix: '',
  maxParallelism: null,
  outputConfigFile: 'output.yaml',
  resources: {
    builder: { vcpus: 1, memoryMiB: 2048 },
    runner: { vcpus: 0.5, memoryMiB: 1024 },
    output: { vcpus: 2, memoryMiB: 4096 },
  },
} as unknown as RunSpec;
const layout = new RunLayout('flu/a', 'r1');

async function storageWith(manifest: unknown): Promise<Storage> {
  const storage = new Storage(new MemoryDriver());
  await storage.putJson(layout.manifest, manifest);
  return storage;
}
const manifest = (numTasks: number, ids = { expId: 'flu/a', runId: 'r1' }) => ({
  version: 2,
  ...ids,
  numTasks,
  createdAt: 'now',
  partSize: 1000,
});
const envOf = (entries: readonly { Name: string; Value: string }[]) =>
  Object.fromEntries(entries.map((e) => [e.Name, e.Value]));

describe('planRun', () => {
  it('plans an array job and Stage C from the manifest', async () => {
    const plan = await planRun(
      { run },
      { storage: await storageWith(manifest(40)), bucket: 'data' },
    );
    expect(plan).toMatchObject({ kind: 'array', numTasks: 40, message: '', maxConcurrency: 0 });
    expect(plan.jobs).toHaveLength(1);
    expect(plan.jobs[0]).toMatchObject({
      jobName: 'epycloud-runner-flu-a-r1',
      offset: 0,
      size: 40,
      dependsOn: [],
    });
    expect(plan.jobs[0]?.containerOverrides.ResourceRequirements).toEqual([
      { Type: 'VCPU', Value: '0.5' },
      { Type: 'MEMORY', Value: '1024' },
    ]);
    expect(envOf(plan.output.containerOverrides.Environment)).toMatchObject({
      NUM_TASKS: '40',
      OUTPUT_CONFIG_FILE: 'output.yaml',
      S3_BUCKET: 'data',
    });
  });

  it("gives Stage B's jobs EPYCLOUD_CACHE=off when the run has the cache off, Stage C nothing", async () => {
    const storage = await storageWith(manifest(40));
    const off = await planRun({ run: { ...run, cache: false } }, { storage, bucket: 'data' });
    expect(envOf(off.jobs[0]!.containerOverrides.Environment)).toMatchObject({
      EPYCLOUD_CACHE: 'off',
    });
    expect(envOf(off.output.containerOverrides.Environment).EPYCLOUD_CACHE).toBeUndefined();
    const on = await planRun({ run }, { storage, bucket: 'data' });
    expect(envOf(on.jobs[0]!.containerOverrides.Environment).EPYCLOUD_CACHE).toBeUndefined();
  });

  it('names split parts and sets their index offsets', async () => {
    const plan = await planRun(
      { run: { ...run, maxParallelism: 2 } },
      { storage: await storageWith(manifest(5)), bucket: 'data' },
    );
    expect(
      plan.jobs.map((j) => [j.jobName, envOf(j.containerOverrides.Environment).TASK_INDEX_OFFSET]),
    ).toEqual([
      ['epycloud-runner-flu-a-r1-part1', '0'],
      ['epycloud-runner-flu-a-r1-part2', '3'],
    ]);
  });

  it('explains a run without tasks', async () => {
    const plan = await planRun(
      { run },
      { storage: await storageWith(manifest(0)), bucket: 'data' },
    );
    expect(plan.kind).toBe('none');
    expect(plan.message).toBe(
      `Stage A (builder) produced 0 tasks for experiment flu/a, run r1 (manifest ${layout.manifest}): nothing for Stage B to run. Check the experiment's parameter sets.`,
    );
  });

  it('refuses a missing, malformed or foreign manifest', async () => {
    await expect(
      planRun({ run }, { storage: new Storage(new MemoryDriver()), bucket: 'data' }),
    ).rejects.toThrow(
      `No manifest at ${layout.manifest} (in memory://): Stage A (builder) has not completed for run r1`,
    );
    await expect(
      planRun({ run }, { storage: await storageWith({ numTasks: -1 }), bucket: 'data' }),
    ).rejects.toThrow(
      /Invalid manifest at flu\/a\/runs\/r1\/builder-artifacts\/manifest.json \(in memory:\/\/\): version/,
    );
    await expect(
      planRun(
        { run },
        {
          storage: await storageWith(manifest(3, { expId: 'flu/a', runId: 'r0' })),
          bucket: 'data',
        },
      ),
    ).rejects.toThrow('belongs to flu/a/r0, not flu/a/r1');
  });
});

describe('the PlanStageB handler', () => {
  afterEach(() => {
    delete process.env[PLAN_BUCKET_VAR];
  });

  it('reports a missing bucket as a named Step Functions error', async () => {
    const error = (await handler({ run }).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('Epycloud.ENVIRONMENT');
    expect(error.message).toContain(`${PLAN_BUCKET_VAR} is not set`);
  });
});
