import type { CalibrationProgress } from '../contract/calibration-progress.js';
import type { StageName } from '../contract/layout.js';
import type { JobProgress } from './batch.js';
import type { ExecutionInfo } from './executions.js';

/** The tasks calibrating now: how many, and the progress of a sample of them. */
export interface CalibrationSample {
  /** Tasks with a progress object and no result yet. */
  readonly tasks: number;
  /** Progress of up to `PROGRESS_READS_MAX` (calibration-progress.ts) of them, spread evenly over their indexes. */
  readonly progress: readonly CalibrationProgress[];
}

/** Task counts of one stage, over all its jobs. */
export interface StageProgress {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly running: number;
}

/** Where a run stands: the execution, its Batch jobs, and per-stage counts. */
export interface RunProgress {
  readonly execution: ExecutionInfo;
  readonly jobs: readonly JobProgress[];
  readonly stages: Readonly<Record<StageName, StageProgress>>;
  /** Stage B's calibrating tasks (forecasts), read while Stage B runs under `--wait`. */
  readonly calibration?: CalibrationSample;
}
