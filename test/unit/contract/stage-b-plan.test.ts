import { describe, expect, it } from 'vitest';
import {
  BATCH_ARRAY_MAX,
  BATCH_ARRAY_MIN,
  MAP_CONCURRENCY_MAX,
  STAGE_B_JOBS_MAX,
  balancedSizes,
  planStageB,
  type StageBPlan,
} from '../../../lib/contract/stage-b-plan.js';

/** Every index 0..N-1 exactly once, contiguous jobs, array sizes within Batch's 2..10,000. */
function expectValid(plan: StageBPlan): void {
  let next = 0;
  for (const job of plan.jobs) {
    expect(job.offset).toBe(next);
    next += job.size;
    if (plan.kind === 'single') expect(job.size).toBe(1);
    else {
      expect(job.size).toBeGreaterThanOrEqual(BATCH_ARRAY_MIN);
      expect(job.size).toBeLessThanOrEqual(BATCH_ARRAY_MAX);
    }
  }
  expect(next).toBe(plan.numTasks);
}

describe('planStageB', () => {
  it('plans nothing for N = 0', () => {
    expect(planStageB(0)).toEqual({ kind: 'none', numTasks: 0, maxConcurrency: 0, jobs: [] });
  });

  it('plans one plain job with task index 0 for N = 1, whatever the cap', () => {
    for (const cap of [undefined, 1, 50]) {
      expect(planStageB(1, cap)).toEqual({
        kind: 'single',
        numTasks: 1,
        maxConcurrency: 0,
        jobs: [{ offset: 0, size: 1, sequential: false }],
      });
    }
  });

  it.each([2, 3, 10_000])('plans one array job for N = %i', (n) => {
    const plan = planStageB(n);
    expect(plan.kind).toBe('array');
    expect(plan.jobs).toEqual([{ offset: 0, size: n, sequential: false }]);
    expectValid(plan);
  });

  it('splits N = 10,001 into two balanced array jobs (never a child array of 1)', () => {
    const plan = planStageB(10_001);
    expect(plan.kind).toBe('split');
    expect(plan.jobs.map((j) => [j.offset, j.size])).toEqual([
      [0, 5001],
      [5001, 5000],
    ]);
    expect(plan.maxConcurrency).toBe(0);
    expectValid(plan);
  });

  it('splits N = 25,000 into three array jobs with index offsets covering every index once', () => {
    const plan = planStageB(25_000);
    expect(plan.jobs.map((j) => j.offset)).toEqual([0, 8334, 16_667]);
    expectValid(plan);
    const covered = new Uint8Array(25_000);
    for (const job of plan.jobs) for (let i = 0; i < job.size; i++) covered[job.offset + i]! += 1;
    expect(covered.every((c) => c === 1)).toBe(true);
  });

  it('keeps one array job when the cap does not bind', () => {
    expect(planStageB(500, 500).kind).toBe('array');
    expect(planStageB(500, 10_000).kind).toBe('array');
  });

  it('runs lanes (sequential children) at most maxParallelism at a time for small caps', () => {
    const plan = planStageB(10, 3);
    expect(plan).toMatchObject({ kind: 'split', maxConcurrency: 3 });
    expect(plan.jobs.map((j) => [j.size, j.sequential])).toEqual([
      [4, true],
      [3, true],
      [3, true],
    ]);
    expectValid(plan);
  });

  it('uses fewer lanes than the cap rather than a lane of one task', () => {
    const plan = planStageB(5, 4);
    expect(plan.jobs).toHaveLength(2);
    expect(plan.maxConcurrency).toBe(4);
    expectValid(plan);
  });

  it('adds lanes beyond the cap when a lane would exceed 10,000 children, still running at most the cap at once', () => {
    const plan = planStageB(25_000, 2);
    expect(plan.jobs).toHaveLength(3);
    expect(plan.maxConcurrency).toBe(2);
    expect(plan.jobs.every((j) => j.sequential)).toBe(true);
    expectValid(plan);
  });

  it('runs waves of at most maxParallelism children, one wave at a time, above the Map concurrency limit', () => {
    const plan = planStageB(1000, MAP_CONCURRENCY_MAX + 60);
    expect(plan).toMatchObject({ kind: 'split', maxConcurrency: 1 });
    expect(plan.jobs).toHaveLength(10);
    expect(plan.jobs.every((j) => !j.sequential && j.size <= 100)).toBe(true);
    expectValid(plan);
  });

  it('falls back to 40 lanes (under the cap) when waves would exceed the job limit', () => {
    const plan = planStageB(10_000, 41);
    expect(plan).toMatchObject({ kind: 'split', maxConcurrency: MAP_CONCURRENCY_MAX });
    expect(plan.jobs).toHaveLength(MAP_CONCURRENCY_MAX);
    expect(plan.jobs.every((j) => j.sequential)).toBe(true);
    expectValid(plan);
  });

  it('refuses runs needing more array jobs than one execution tracks', () => {
    const tooMany = STAGE_B_JOBS_MAX * BATCH_ARRAY_MAX + 1;
    expect(() => planStageB(tooMany)).toThrow(`Stage B for ${tooMany} tasks needs 101 array jobs`);
    expect(() => planStageB(tooMany, 5)).toThrow(/runs are limited to 1000000 tasks/);
    expect(planStageB(tooMany - 1).jobs).toHaveLength(STAGE_B_JOBS_MAX);
  });

  it.each([
    [-1, undefined, /numTasks must be a non-negative integer, got -1/],
    [1.5, undefined, /numTasks/],
    [10, 0, /maxParallelism must be a positive integer, got 0/],
    [10, 2.5, /maxParallelism/],
  ])('rejects numTasks %s with maxParallelism %s', (n, cap, message) => {
    expect(() => planStageB(n, cap)).toThrow(message);
  });
});

describe('balancedSizes', () => {
  it('splits into sizes that differ by at most one and sum to the total', () => {
    expect(balancedSizes(10, 3)).toEqual([4, 3, 3]);
    expect(balancedSizes(9, 3)).toEqual([3, 3, 3]);
  });
});
