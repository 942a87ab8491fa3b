import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ENV } from '../../../lib/contract/env.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import type { ProgressEvent } from '../../../lib/backend/types.js';
import type { Exec, ExecResult } from '../../../lib/host/exec.js';
import type { LoadOptions } from '../../../lib/experiment/experiment.js';
import type { ExperimentSource } from '../../../lib/host/experiment-source.js';
import type { LocalContext } from '../../../lib/local/stages.js';
import type { StageImage } from '../../../lib/contract/stage-image.js';
import type { Runtime, StageLaunch, StageLauncher } from '../../../lib/local/types.js';
import type { LocalPaths } from '../../../lib/host/paths.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { writeResult } from '../../../lib/run/result-check.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';
import { writeManifest } from '../../../lib/run/manifest.js';

/** What the fake stages do. */
export interface FakePlan {
  numTasks: number;
  /** Task index -> attempts that fail before one succeeds (Infinity: always). */
  failFirst?: Map<number, number>;
  /** Stages that exit non-zero. */
  failStages?: Set<string>;
  /** Task duration in ms (a timer, not work). */
  taskMs?: number;
  /** Lines a task writes (to the launch's `onLine`) while it runs. */
  lines?: (index: number) => readonly string[];
  /** The experiment's own stage image: validation names it, the snapshot holds its `stages:` config. */
  stageImage?: StageImage;
}

/** A launcher whose stages write what the real ones would, into memory, and record every launch. */
export function fakeLauncher(
  storage: Storage,
  plan: FakePlan,
  runtime: Runtime = 'process',
): StageLauncher & { launches: StageLaunch[]; maxRunning: number } {
  const attempts = new Map<number, number>();
  let running = 0;
  const self = {
    runtime,
    launches: [] as StageLaunch[],
    maxRunning: 0,
    async launch(launch: StageLaunch) {
      self.launches.push(launch);
      const layout = new RunLayout(launch.env[ENV.expId]!, launch.env[ENV.runId]!);
      if (plan.failStages?.has(launch.stage)) return { exitCode: 5, durationMs: 1 };
      if (launch.stage === 'builder') {
        const entries = Array.from({ length: plan.numTasks }, (_, index) => ({
          index,
          key: layout.input(index),
          sha256: 'a'.repeat(64),
        }));
        await writeManifest(storage, layout, entries, '2026-01-01T00:00:00Z');
      } else if (launch.stage === 'runner') {
        const index = Number(launch.env[ENV.taskIndex]);
        const attempt = (attempts.get(index) ?? 0) + 1;
        attempts.set(index, attempt);
        running += 1;
        self.maxRunning = Math.max(self.maxRunning, running);
        for (const line of plan.lines?.(index) ?? []) launch.onLine?.(line);
        await new Promise((r) => setTimeout(r, plan.taskMs ?? 2));
        running -= 1;
        if (attempt <= (plan.failFirst?.get(index) ?? 0))
          return { exitCode: 3, durationMs: plan.taskMs ?? 2 };
        const checksum = await writeResult(
          storage,
          layout,
          index,
          'a'.repeat(64),
          `result ${index}`,
        );
        await storage.putJson(layout.summary('runner', index), { result: checksum });
      } else {
        await storage.put(
          `${layout.outputDir('20260101-000000')}quantiles.csv`,
          `n=${launch.env[ENV.numTasks]}`,
        );
        await storage.putJson(`${layout.outputDir('20260101-000000')}index.json`, {
          files: [{ name: 'quantiles.csv' }],
        });
      }
      return { exitCode: 0, durationMs: plan.taskMs ?? 2 };
    },
  };
  return self;
}

/**
 * A fake experiment source: validation yields the plan's N (recording the
 * overrides it got), or `stageImage` for an experiment run by its own image;
 * snapshot writes one file (and that image's `stages:` config) and its manifest.
 */
export function fakeExperiments(
  numTasks: number,
  stageImage?: StageImage,
): ExperimentSource & {
  snapshots: number;
  validated: (LoadOptions | undefined)[];
  stageImage: StageImage | undefined;
} {
  const self = {
    snapshots: 0,
    validated: [] as (LoadOptions | undefined)[],
    stageImage,
    validate: async (_dir: string, overrides?: LoadOptions) => {
      self.validated.push(overrides);
      return self.stageImage === undefined
        ? { numTasks }
        : { numTasks: undefined, stageImage: self.stageImage };
    },
    snapshot: async (_dir: string, storage: Storage, layout: RunLayout) => {
      self.snapshots += 1;
      const files = new Map([['config/model.yaml', 'model: {}']]);
      if (self.stageImage !== undefined)
        files.set('config/stages.yaml', stringify({ stages: self.stageImage }));
      await writeSnapshot(storage, layout, files);
    },
  };
  return self;
}

const tempDirs: string[] = [];

/** Removes every folder {@link tempPaths} made (call in `afterAll`). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A temporary local folder with one experiment, `examples/fake`. */
export async function tempPaths(): Promise<LocalPaths> {
  const localDir = await mkdtemp(join(tmpdir(), 'epycloud-local-unit-'));
  tempDirs.push(localDir);
  const experimentsDir = join(localDir, 'forecast', 'experiments');
  await mkdir(join(experimentsDir, 'examples', 'fake', 'config'), { recursive: true });
  await writeFile(join(experimentsDir, 'examples', 'fake', 'config', 'model.yaml'), 'model: {}\n');
  return {
    projectRoot: '/nonexistent',
    localDir,
    experimentsDir,
    bucketDir: join(localDir, 'bucket'),
  };
}

/** A stage image's fake launcher, made by the context's `imageLauncher`, and the image it was made for. */
export interface FakeImageLauncher {
  readonly declared: StageImage;
  readonly launcher: ReturnType<typeof fakeLauncher>;
}

/**
 * A context over memory storage with the fakes; progress events are
 * recorded. Its `imageLauncher` makes a Docker-runtime fake launcher per call
 * (recorded in `imageLaunchers`), whose stage code is the image.
 */
export async function fakeContext(plan: FakePlan): Promise<{
  ctx: LocalContext;
  storage: Storage;
  launcher: ReturnType<typeof fakeLauncher>;
  imageLaunchers: FakeImageLauncher[];
  experiments: ReturnType<typeof fakeExperiments>;
  events: ProgressEvent[];
}> {
  const storage = new Storage(new MemoryDriver());
  const launcher = fakeLauncher(storage, plan);
  const imageLaunchers: FakeImageLauncher[] = [];
  const experiments = fakeExperiments(plan.numTasks, plan.stageImage);
  const events: ProgressEvent[] = [];
  const ctx: LocalContext = {
    paths: await tempPaths(),
    storage,
    launcher,
    imageLauncher: (declared) => {
      const image = Object.assign(fakeLauncher(storage, plan, 'docker'), {
        stageCode: async () =>
          ({ kind: 'image', image: declared.image, digest: 'sha256:fake' }) as const,
      });
      imageLaunchers.push({ declared, launcher: image });
      return image;
    },
    experiments,
    progress: (e) => events.push(e),
  };
  return { ctx, storage, launcher, imageLaunchers, experiments, events };
}

/** An exec that answers from a table of `file args...` -> result; anything else is "not found" (127). */
export function fakeExec(answers: Record<string, Partial<ExecResult>>): Exec & { calls: string[] } {
  const calls: string[] = [];
  const exec = async (file: string, args: readonly string[]): Promise<ExecResult> => {
    const line = [file, ...args].join(' ');
    calls.push(line);
    const answer = answers[line];
    return answer
      ? { exitCode: 0, stdout: '', stderr: '', ...answer }
      : { exitCode: 127, stdout: '', stderr: `${file}: not found` };
  };
  return Object.assign(exec, { calls });
}
