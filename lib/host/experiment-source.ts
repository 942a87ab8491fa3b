import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { RunLayout } from '../contract/layout.js';
import type { LoadOptions } from '../experiment/experiment.js';
import type { ExperimentPlan } from '../experiment/plan.js';
import type { Storage } from '../storage/index.js';
import type { StageImage } from '../contract/stage-image.js';

/** What validating a folder tells a back end: N and the plan for the built-in engine; the image and commands of an experiment run by its own image (N is its Stage A's). */
export type ExperimentValidated =
  | {
      readonly numTasks: number;
      readonly plan?: ExperimentPlan | undefined;
      readonly stageImage?: undefined;
    }
  | { readonly numTasks: undefined; readonly plan?: undefined; readonly stageImage: StageImage };

/** What a back end needs from an experiment folder on this machine: validate it, snapshot it into a run. */
export interface ExperimentSource {
  /** Validates the folder, with the run's overrides (output config, reference date), without writing anything; resolves to the number of tasks it yields and what they cost. */
  validate(dir: string, overrides?: LoadOptions): Promise<ExperimentValidated>;
  /** Copies the folder into the run's `experiment/` prefix. */
  snapshot(dir: string, storage: Storage, layout: RunLayout): Promise<unknown>;
}

/** The real experiment source: lib/experiment's validation and snapshot. */
export const localExperiments: ExperimentSource = {
  validate: async (dir, overrides) => {
    const { validateExperimentDir } = await import('../experiment/snapshot.js');
    return validateExperimentDir(dir, overrides);
  },
  snapshot: async (dir, storage, layout) => {
    const { snapshotExperiment } = await import('../experiment/snapshot.js');
    return snapshotExperiment(dir, storage, layout);
  },
};

const MAX_DEPTH = 6;

/** Experiment ids under the experiments folder: every folder that holds a `config/` folder. */
export async function findExperimentIds(
  experimentsDir: string,
  dir = experimentsDir,
  depth = 0,
): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((e) => e.isDirectory() && e.name === 'config'))
    return [relative(experimentsDir, dir).split(sep).join('/')];
  if (depth >= MAX_DEPTH) return [];
  const nested = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => findExperimentIds(experimentsDir, join(dir, e.name), depth + 1)),
  );
  return nested.flat().sort();
}
