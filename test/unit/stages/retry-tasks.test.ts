import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../lambdas/plan-stage-b/plan.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import type { RunSpec } from '../../../lib/contract/pipeline.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { LocalDriver, Storage } from '../../../lib/storage/index.js';
import { runBuilder } from '../../../pipeline-scripts/builder.js';
import { runRunner } from '../../../pipeline-scripts/runner.js';
import { runStage } from '../../../pipeline-scripts/stage-main.js';
import { EXPERIMENT, memoryLogger } from './helpers.js';

const roots: string[] = [];
afterAll(async () => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));

const size = { vcpus: 1, memoryMiB: 2048 };
const layout = new RunLayout('tests/tiny', 'retry-1');
const run = {
  expId: layout.expId,
  runId: layout.runId,
  dirPrefix: '',
  maxParallelism: null,
  outputConfigFile: null,
  resources: { builder: size, runner: size, output: size },
} as unknown as RunSpec;

/** A built run of 3 tasks on a local bucket whose tasks 0..2 all ran. */
async function ranRun() {
  const root = await mkdtemp(join(tmpdir(), 'epycloud-retry-'));
  roots.push(root);
  const storage = new Storage(new LocalDriver(root));
  await writeSnapshot(storage, layout, new Map(Object.entries(EXPERIMENT)));
  await runBuilder({ layout }, storage, memoryLogger());
  for (let i = 0; i < 3; i++) await runRunner({ layout, taskIndex: i }, storage, memoryLogger());
  return { root, storage };
}

const envOf = (entries: readonly { Name: string; Value: string }[]) =>
  Object.fromEntries(entries.map((e) => [e.Name, e.Value]));

describe('a re-execution of a run (workflow retry)', () => {
  it('plans Stage B over the tasks without a result only, and each child runs its mapped task', async () => {
    const { root, storage } = await ranRun();
    const kept = await storage.get(layout.result(1));
    await storage.delete(layout.result(0));
    await storage.delete(layout.result(2));
    const plan = await planRun({ run }, { storage, bucket: 'data' });
    expect(plan).toMatchObject({ kind: 'array', numTasks: 3 });
    expect(plan.jobs.map((j) => j.size)).toEqual([2]);
    const env = envOf(plan.jobs[0]!.containerOverrides.Environment);
    expect(env.TASK_MAP).toMatch(/\/builder-artifacts\/task-maps\/[0-9a-f]{16}\.json$/);
    expect(envOf(plan.output.containerOverrides.Environment).NUM_TASKS).toBe('3');
    const lines: Record<string, unknown>[] = [];
    for (const child of [0, 1]) {
      const code = await runStage(
        ['runner'],
        {
          ...env,
          EXECUTION_MODE: 'local',
          LOCAL_BUCKET_DIR: root,
          AWS_BATCH_JOB_ARRAY_INDEX: String(child),
        },
        { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
      );
      expect(code).toBe(0);
    }
    expect(new Set(lines.map((l) => l.task_index))).toEqual(new Set([0, 2]));
    expect(await storage.exists(layout.result(0))).toBe(true);
    expect(await storage.exists(layout.result(2))).toBe(true);
    expect(await storage.get(layout.result(1))).toEqual(kept);
  });

  it('runs one task that finds its result when nothing is missing, and all N on a first execution', async () => {
    const { storage } = await ranRun();
    const again = await planRun({ run }, { storage, bucket: 'data' });
    expect(again).toMatchObject({ kind: 'single', numTasks: 3 });
    expect(envOf(again.jobs[0]!.containerOverrides.Environment).TASK_MAP).toBeDefined();
    for (let i = 0; i < 3; i++) await storage.delete(layout.result(i));
    const first = await planRun({ run }, { storage, bucket: 'data' });
    expect(first.jobs.map((j) => j.size)).toEqual([3]);
    expect(envOf(first.jobs[0]!.containerOverrides.Environment).TASK_MAP).toBeUndefined();
  });

  it('refuses a position past the map, naming it', async () => {
    const { root, storage } = await ranRun();
    await storage.delete(layout.result(2));
    const plan = await planRun({ run }, { storage, bucket: 'data' });
    const env = envOf(plan.jobs[0]!.containerOverrides.Environment);
    const lines: Record<string, unknown>[] = [];
    const code = await runStage(
      ['runner'],
      { ...env, TASK_INDEX: '1', EXECUTION_MODE: 'local', LOCAL_BUCKET_DIR: root },
      { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    expect(code).toBe(5);
    expect(lines.at(-1)?.message).toMatch(
      /^Position 1 is out of range of task map .*task-maps\/[0-9a-f]{16}\.json \(1 task\(s\)\)$/,
    );
  });
});
