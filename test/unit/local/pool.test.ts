import { describe, expect, it } from 'vitest';
import { runPool, type PoolEvent } from '../../../lib/local/pool.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('runPool', () => {
  it('never runs more than `parallelism` tasks at once, and runs every index once', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const result = await runPool({
      indexes: [0, 1, 2, 3, 4, 5, 6],
      parallelism: 3,
      retries: 0,
      run: async (index) => {
        running += 1;
        peak = Math.max(peak, running);
        seen.push(index);
        await sleep(5);
        running -= 1;
        return { exitCode: 0, durationMs: 5 };
      },
    });
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result.failed).toEqual([]);
    expect(result.busyMs).toBe(35);
  });

  it('retries a failed task and reports it succeeded on the later attempt', async () => {
    const events: PoolEvent[] = [];
    const result = await runPool({
      indexes: [0, 1],
      parallelism: 2,
      retries: 2,
      run: async (index, attempt) => ({
        exitCode: index === 1 && attempt < 3 ? 1 : 0,
        durationMs: 1,
      }),
      onEvent: (e) => events.push(e),
    });
    expect(result.failed).toEqual([]);
    expect(result.outcomes[1]).toMatchObject({ index: 1, ok: true, attempts: 3 });
    expect(
      events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.attempt : 0)),
    ).toEqual([2, 3]);
  });

  it('reports a task that fails every attempt, and still runs the others', async () => {
    const runs: string[] = [];
    const result = await runPool({
      indexes: [0, 1, 2],
      parallelism: 1,
      retries: 1,
      run: async (index, attempt) => {
        runs.push(`${index}.${attempt}`);
        return { exitCode: index === 0 ? 7 : 0, durationMs: 1 };
      },
    });
    expect(result.failed).toEqual([0]);
    expect(result.outcomes[0]).toMatchObject({ ok: false, attempts: 2, exitCode: 7 });
    expect(runs).toEqual(['0.1', '0.2', '1.1', '2.1']);
  });

  it('handles no tasks, and rejects a parallelism below 1', async () => {
    const empty = await runPool({
      indexes: [],
      parallelism: 2,
      retries: 0,
      run: async () => ({ exitCode: 1, durationMs: 1 }),
    });
    expect(empty.outcomes).toEqual([]);
    await expect(
      runPool({
        indexes: [0],
        parallelism: 0,
        retries: 0,
        run: async () => ({ exitCode: 0, durationMs: 0 }),
      }),
    ).rejects.toThrow(/parallelism/);
  });
});
