import { ValidationError } from '../errors.js';

/** AWS Batch array jobs hold 2 to 10,000 children. */
export const BATCH_ARRAY_MIN = 2;
/** AWS Batch array jobs hold 2 to 10,000 children. */
export const BATCH_ARRAY_MAX = 10_000;
/**
 * Most concurrent iterations an inline Map state runs; lanes (one task at a
 * time each) are used up to this parallelism, waves above it.
 */
export const MAP_CONCURRENCY_MAX = 40;
/** Most Stage B jobs one plan may hold: keeps the state under Step Functions' 256 KiB payload limit. */
export const STAGE_B_JOBS_MAX = 100;

/** How Stage B runs: nothing, one plain job, one array job, or several jobs under a Map state. */
export type StageBKind = 'none' | 'single' | 'array' | 'split';

/** One Stage B job: task indexes `offset .. offset + size - 1`. */
export interface StageBJob {
  readonly offset: number;
  readonly size: number;
  /** Children run one after another (Batch `SEQUENTIAL` dependency): a lane. */
  readonly sequential: boolean;
}

/** The plan of Stage B for N tasks. */
export interface StageBPlan {
  readonly kind: StageBKind;
  readonly numTasks: number;
  /** Map `MaxConcurrency` for `split` (0 = no limit); 0 otherwise. */
  readonly maxConcurrency: number;
  readonly jobs: readonly StageBJob[];
}

/** Splits `total` into `parts` contiguous sizes differing by at most one, largest first. */
export function balancedSizes(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

function contiguous(numTasks: number, parts: number, sequential: boolean): StageBJob[] {
  let offset = 0;
  return balancedSizes(numTasks, parts).map((size) => {
    const job = { offset, size, sequential };
    offset += size;
    return job;
  });
}

/**
 * Plans Stage B for `numTasks` tasks, at most `maxParallelism` running at once.
 * - N = 0: `none` (the state machine fails with a clear cause).
 * - N = 1: `single`, task index 0.
 * - 2..10,000 without a binding cap: one `array` job.
 * - More than 10,000 without a cap: `split` into balanced array jobs of at
 *   most 10,000 children with an index offset, all at once.
 * - A cap of at most 40: lanes, array jobs whose children run one after
 *   another (`SEQUENTIAL`), at most `maxParallelism` lanes at once.
 * - A higher cap: waves, array jobs of at most `maxParallelism` children, one
 *   wave at a time; when that needs more than 100 waves, 40 lanes instead
 *   (40 tasks at once: under the cap, never over it).
 * Every index 0..N-1 is covered exactly once; every array job has 2..10,000 children.
 */
export function planStageB(numTasks: number, maxParallelism?: number): StageBPlan {
  if (!Number.isSafeInteger(numTasks) || numTasks < 0)
    throw new ValidationError(`numTasks must be a non-negative integer, got ${numTasks}`);
  if (
    maxParallelism !== undefined &&
    (!Number.isSafeInteger(maxParallelism) || maxParallelism < 1)
  ) {
    throw new ValidationError(`maxParallelism must be a positive integer, got ${maxParallelism}`);
  }
  if (numTasks === 0) return { kind: 'none', numTasks, maxConcurrency: 0, jobs: [] };
  if (numTasks === 1)
    return {
      kind: 'single',
      numTasks,
      maxConcurrency: 0,
      jobs: [{ offset: 0, size: 1, sequential: false }],
    };
  const cap = maxParallelism ?? Number.POSITIVE_INFINITY;
  if (cap >= numTasks && numTasks <= BATCH_ARRAY_MAX) {
    return {
      kind: 'array',
      numTasks,
      maxConcurrency: 0,
      jobs: [{ offset: 0, size: numTasks, sequential: false }],
    };
  }
  const minimumJobs = Math.ceil(numTasks / BATCH_ARRAY_MAX);
  if (minimumJobs > STAGE_B_JOBS_MAX) {
    throw new ValidationError(
      `Stage B for ${numTasks} tasks needs ${minimumJobs} array jobs of at most ${BATCH_ARRAY_MAX}, more than the ${STAGE_B_JOBS_MAX} one execution tracks: runs are limited to ${STAGE_B_JOBS_MAX * BATCH_ARRAY_MAX} tasks`,
    );
  }
  if (cap >= numTasks) {
    return {
      kind: 'split',
      numTasks,
      maxConcurrency: 0,
      jobs: contiguous(numTasks, minimumJobs, false),
    };
  }
  const waves = Math.ceil(numTasks / Math.min(cap, BATCH_ARRAY_MAX));
  if (cap <= MAP_CONCURRENCY_MAX || waves > STAGE_B_JOBS_MAX) {
    const width = Math.min(cap, MAP_CONCURRENCY_MAX);
    const lanes = Math.max(minimumJobs, Math.min(width, Math.floor(numTasks / BATCH_ARRAY_MIN)));
    return {
      kind: 'split',
      numTasks,
      maxConcurrency: width,
      jobs: contiguous(numTasks, lanes, true),
    };
  }
  return { kind: 'split', numTasks, maxConcurrency: 1, jobs: contiguous(numTasks, waves, false) };
}
