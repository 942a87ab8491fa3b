import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduleDefinitionSchema } from '../../../lib/schedule/definition.js';
import { runLocalSchedules, type ScheduledRun } from '../../../lib/schedule/local-scheduler.js';

const weekly = scheduleDefinitionSchema.parse({
  name: 'flu-weekly',
  expId: 'examples/flu',
  cron: '0 14 ? * WED *',
  referenceDate: 'auto',
});

/** A fake back end's runs: each started run stays open until `finish` ends it. */
function fakeRuns() {
  const started: ScheduledRun[] = [];
  const open: (() => void)[] = [];
  return {
    started,
    startRun: (run: ScheduledRun) => {
      started.push(run);
      return new Promise<string>((resolve) => open.push(() => resolve('succeeded')));
    },
    finish: () => open.shift()?.(),
  };
}

describe('runLocalSchedules with a fake clock', () => {
  beforeEach(() => {
    // Monday 2026-11-23 13:00 UTC
    vi.useFakeTimers({ now: new Date('2026-11-23T13:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts the run at the given minute and not before, with the coming Saturday', async () => {
    const runs = fakeRuns();
    const lines: string[] = [];
    const stop = new AbortController();
    const done = runLocalSchedules([weekly], {
      startRun: runs.startRun,
      notify: (line) => lines.push(line),
      signal: stop.signal,
    });
    // Wednesday 2026-11-25 13:59:59 UTC: not yet
    await vi.advanceTimersByTimeAsync(Date.parse('2026-11-25T13:59:59Z') - Date.now());
    expect(runs.started).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs.started).toHaveLength(1);
    expect(runs.started[0]).toMatchObject({
      definition: { name: 'flu-weekly', expId: 'examples/flu' },
      referenceDate: '2026-11-28',
      firedAt: new Date('2026-11-25T14:00:00Z'),
    });
    expect(lines).toEqual([
      '2026-11-25T14:00:00Z flu-weekly: starting a run of examples/flu (reference date 2026-11-28)',
    ]);
    runs.finish();
    stop.abort();
    await done;
    expect(lines.at(-1)).toBe('2026-11-25T14:00:00Z flu-weekly: succeeded');
  });
});

describe('runLocalSchedules: one run at a time, paused schedules, stopping', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-23T13:00:30Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const everyMinute = scheduleDefinitionSchema.parse({
    name: 'minutely',
    expId: 'examples/seir-ma',
    cron: '* * ? * * *',
  });

  it('skips a tick while the previous run of that schedule is still going, saying so', async () => {
    const runs = fakeRuns();
    const lines: string[] = [];
    const stop = new AbortController();
    const done = runLocalSchedules([everyMinute], {
      startRun: runs.startRun,
      notify: (line) => lines.push(line),
      signal: stop.signal,
    });
    await vi.advanceTimersByTimeAsync(31_000); // 13:01:00: starts
    await vi.advanceTimersByTimeAsync(60_000); // 13:02:00: the run goes on: skipped
    expect(runs.started).toHaveLength(1);
    expect(runs.started[0]?.referenceDate).toBeUndefined();
    expect(lines).toEqual([
      '2026-11-23T13:01:00Z minutely: starting a run of examples/seir-ma',
      '2026-11-23T13:02:00Z minutely: skipped this tick: its previous run is still going',
    ]);
    runs.finish();
    await vi.advanceTimersByTimeAsync(60_000); // 13:03:00: free again
    expect(runs.started).toHaveLength(2);
    stop.abort();
    runs.finish();
    await done;
  });

  it('never fires a paused schedule', async () => {
    const runs = fakeRuns();
    const stop = new AbortController();
    const done = runLocalSchedules([{ ...everyMinute, state: 'DISABLED' }], {
      startRun: runs.startRun,
      notify: () => {},
      signal: stop.signal,
    });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(runs.started).toEqual([]);
    stop.abort();
    await done;
  });

  it('on abort starts nothing more and waits for the run still going; a failed run is said, not thrown', async () => {
    const lines: string[] = [];
    let release: () => void = () => {};
    const stop = new AbortController();
    let calls = 0;
    const done = runLocalSchedules([everyMinute], {
      startRun: () => {
        calls++;
        return new Promise<string>((_, reject) => {
          release = () => reject(new Error('Stage A failed'));
        });
      },
      notify: (line) => lines.push(line),
      signal: stop.signal,
    });
    await vi.advanceTimersByTimeAsync(30_000);
    stop.abort();
    let settled = false;
    void done.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(settled).toBe(false);
    expect(calls).toBe(1);
    release();
    await done;
    expect(lines.at(-1)).toMatch(/minutely: failed: Stage A failed$/);
  });
});
