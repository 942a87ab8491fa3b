import { describe, expect, it } from 'vitest';
import { runnerStats } from '../../../pipeline-scripts/report-inputs.js';
import type { RunnerSummary } from '../../../pipeline-scripts/runner.js';

const T0 = Date.parse('2026-01-02T03:00:00Z');
/** An ISO time `seconds` after T0. */
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** Task `taskIndex`'s summary: busy `totalMs`, running from `start` to `end` seconds after T0. */
function summary(
  taskIndex: number,
  totalMs: number,
  [start, end]: readonly [number, number],
  extra: Partial<RunnerSummary> = {},
): RunnerSummary {
  return {
    stage: 'runner',
    taskIndex,
    skipped: false,
    result: {
      key: `result_${taskIndex}`,
      inputSha256: 'a'.repeat(64),
      sha256: 'b'.repeat(64),
      bytes: 1,
    },
    nSims: 4,
    timingsMs: { simulate: totalMs / 2, total: totalMs },
    startedAt: at(start),
    finishedAt: at(end),
    attempt: 1,
    ...extra,
  };
}

/** A summary written before Stage B recorded times and attempts. */
function untimed(taskIndex: number, totalMs: number): RunnerSummary {
  const older: Record<string, unknown> = { ...summary(taskIndex, totalMs, [0, 0]) };
  for (const key of ['startedAt', 'finishedAt', 'attempt']) delete older[key];
  return older as unknown as RunnerSummary;
}

describe('runnerStats', () => {
  it('finds the peak concurrency of overlapping tasks and the efficiency busy / (peak x wall)', () => {
    const stats = runnerStats([
      summary(0, 10_000, [0, 10]),
      summary(1, 10_000, [5, 15]),
      summary(2, 8_000, [10, 20]),
      summary(3, 2_000, [12, 14]),
    ]);
    // 12..14 s: tasks 1, 2 and 3 run at once; task 0 ended as task 2 started
    expect(stats).toMatchObject({ tasks: 4, busyMs: 30_000, wallMs: 20_000, peakConcurrency: 3 });
    expect(stats.efficiency).toBeCloseTo(30_000 / (3 * 20_000), 12);
  });

  it('does not count a task starting as another ends as overlapping', () => {
    const stats = runnerStats([summary(0, 9_000, [0, 10]), summary(1, 9_000, [10, 20])]);
    expect(stats).toMatchObject({ wallMs: 20_000, peakConcurrency: 1 });
    expect(stats.efficiency).toBeCloseTo(0.9, 12);
  });

  it('caps the efficiency at 1 and counts a zero wall time as fully efficient', () => {
    expect(runnerStats([summary(0, 50_000, [0, 10])]).efficiency).toBe(1);
    expect(runnerStats([summary(0, 5, [3, 3])])).toMatchObject({ wallMs: 0, efficiency: 1 });
  });

  it('lists the retried tasks (attempt > 1), counts the skipped ones and names the slowest', () => {
    const stats = runnerStats([
      summary(0, 1_000, [0, 1]),
      summary(1, 7_000, [0, 7], { attempt: 3 }),
      summary(2, 2_000, [0, 2], { skipped: true }),
      summary(3, 3_000, [0, 3], { attempt: 2 }),
    ]);
    expect(stats.retried).toEqual([
      { index: 1, attempts: 3 },
      { index: 3, attempts: 2 },
    ]);
    expect(stats.skipped).toBe(1);
    expect(stats.slowest).toEqual({ index: 1, ms: 7_000 });
  });

  it('reports busy time, retries and the slowest task of summaries without times', () => {
    const stats = runnerStats([untimed(0, 4_000), untimed(1, 6_000)]);
    expect(stats).toEqual({
      tasks: 2,
      skipped: 0,
      busyMs: 10_000,
      retried: [],
      slowest: { index: 1, ms: 6_000 },
    });
  });

  it('measures wall time over the timed summaries only', () => {
    const stats = runnerStats([untimed(0, 4_000), summary(1, 5_000, [2, 7])]);
    expect(stats).toMatchObject({ tasks: 2, busyMs: 9_000, wallMs: 5_000, peakConcurrency: 1 });
  });

  it('has nothing to time without summaries', () => {
    expect(runnerStats([])).toEqual({ tasks: 0, skipped: 0, busyMs: 0, retried: [] });
  });
});
