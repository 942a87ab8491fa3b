import type { ExperimentSource } from './experiments.js';

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
