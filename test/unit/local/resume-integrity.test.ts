import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../lib/backend/types.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { StageError } from '../../../lib/errors.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { bucketPath } from '../../../lib/local/run-state.js';
import type { LocalContext } from '../../../lib/local/stages.js';
import type { StageLauncher } from '../../../lib/local/types.js';
import { runLocalWorkflow } from '../../../lib/local/workflow.js';
import { LocalDriver, Storage } from '../../../lib/storage/index.js';
import { decodeResult, encodeResult } from '../../../pipeline-scripts/result-arrow.js';
import { runStage } from '../../../pipeline-scripts/stage-main.js';
import { EXPERIMENT } from '../stages/helpers.js';
import { removeTempDirs, tempPaths } from './fakes.js';

afterAll(removeTempDirs);

const expId = 'tests/tiny';
const base = { expId, parallelism: 2, retries: 0 };

/** Launches the real stage code in this process, on the local bucket the stage environment names. */
function inProcessLauncher(launched: string[]): StageLauncher {
  return {
    runtime: 'process',
    async launch({ stage, env }) {
      launched.push(env.TASK_INDEX === undefined ? stage : `${stage}:${env.TASK_INDEX}`);
      const started = performance.now();
      const exitCode = await runStage([stage], env, { write: () => {} });
      return { exitCode, durationMs: performance.now() - started };
    },
  };
}

/** A local folder holding the tiny experiment, with the real experiment source and stages. */
async function realContext() {
  const paths = await tempPaths();
  for (const [rel, text] of Object.entries(EXPERIMENT)) {
    const file = join(paths.experimentsDir, ...expId.split('/'), rel);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, text);
  }
  const events: ProgressEvent[] = [];
  const launched: string[] = [];
  const storage = new Storage(new LocalDriver(paths.bucketDir));
  const ctx: LocalContext = {
    paths,
    storage,
    launcher: inProcessLauncher(launched),
    imageLauncher: () => {
      throw new Error('this experiment names no stage image');
    },
    experiments: localExperiments,
    progress: (e) => events.push(e),
  };
  return {
    ctx,
    storage,
    events,
    launched,
    file: (key: string) => bucketPath(paths.bucketDir, key),
  };
}

const notes = (events: readonly ProgressEvent[]) =>
  events.flatMap((e) => (e.type === 'note' ? [e.message] : []));

describe('--resume checks what a run holds', () => {
  it('recomputes a truncated result and one edited into a different valid result, then aggregates', async () => {
    const { ctx, storage, events, launched, file } = await realContext();
    expect(await runLocalWorkflow(ctx, { ...base, runId: 'r1' })).toMatchObject({
      status: 'succeeded',
      numTasks: 3,
    });
    const layout = new RunLayout(expId, 'r1');
    const original = await Promise.all([0, 1, 2].map((i) => readFile(file(layout.result(i)))));
    await writeFile(file(layout.result(1)), original[1]!.subarray(0, original[1]!.length >> 1));
    const edited = decodeResult(await storage.get(layout.result(2)));
    await storage.put(
      layout.result(2),
      encodeResult({ ...edited, sample: { ...edited.sample, id: edited.sample.id + 1 } }),
    );
    launched.length = 0;
    events.length = 0;

    const resumed = await runLocalWorkflow(ctx, { ...base, resume: 'r1' });
    expect(resumed).toMatchObject({ status: 'succeeded', runId: 'r1', runner: { tasksRun: 2 } });
    expect(launched).toEqual(['runner:1', 'runner:2', 'output']);
    expect(notes(events)).toEqual([
      'Resuming r1: Stage builder already done',
      'Resuming r1: 1 of 3 results kept',
      expect.stringMatching(
        /^Resuming r1: recomputing task 1: \S+result_00001\.arrow does not match the sha256 Stage B recorded/,
      ),
      expect.stringMatching(
        /^Resuming r1: recomputing task 2: \S+result_00002\.arrow does not match the sha256 Stage B recorded/,
      ),
    ]);
    for (const i of [1, 2]) expect(await readFile(file(layout.result(i)))).toEqual(original[i]);
  });

  it('refuses to resume a run whose snapshot lost config/output.yaml, naming the file, and launches nothing', async () => {
    const { ctx, launched, file } = await realContext();
    expect(await runLocalWorkflow(ctx, { ...base, runId: 'r2' })).toMatchObject({
      status: 'succeeded',
    });
    const layout = new RunLayout(expId, 'r2');
    await rm(file(layout.experimentFile('config/output.yaml')));
    launched.length = 0;
    const error = await runLocalWorkflow(ctx, { ...base, resume: 'r2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StageError);
    expect((error as Error).message).toContain(
      'config/output.yaml: missing (the manifest lists it)',
    );
    expect((error as Error).message).toContain('--run-id r2 --yes replaces this one');
    expect(launched).toEqual([]);
  });

  it('refuses to resume a run whose snapshot upload never finished', async () => {
    const { ctx, file } = await realContext();
    expect(await runLocalWorkflow(ctx, { ...base, runId: 'r3', skipOutput: true })).toMatchObject({
      status: 'succeeded',
    });
    await rm(file(new RunLayout(expId, 'r3').snapshotManifest));
    await expect(runLocalWorkflow(ctx, { ...base, resume: 'r3' })).rejects.toThrow(
      /^Incomplete experiment snapshot under /,
    );
  });
});
