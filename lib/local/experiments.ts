import type { RunLayout } from '../contract/layout.js';
import type { LoadOptions } from '../experiment/load.js';
import type { ExperimentPlan } from '../experiment/plan.js';
import type { Storage } from '../storage/index.js';

/** What local mode needs from an experiment folder; the real one is in lib/experiment. */
export interface ExperimentSource {
  /** Validates the folder, with the run's overrides (output config, reference date), without writing anything; resolves to the number of tasks it yields and what they cost. */
  validate(dir: string, overrides?: LoadOptions): Promise<{ readonly numTasks: number; readonly plan?: ExperimentPlan }>;
  /** Copies the folder into the run's `experiment/` prefix. */
  snapshot(dir: string, storage: Storage, layout: RunLayout): Promise<unknown>;
}
