import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, taskLine } from '../../../cli/progress.js';

describe('formatDuration', () => {
  it('uses seconds below a minute, then m:ss and h:mm:ss', () => {
    expect(formatDuration(1234)).toBe('1.2s');
    expect(formatDuration(245_000)).toBe('4:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });
});

describe('taskLine', () => {
  it('shows done, failed, running of N, elapsed and an ETA from the finished rate', () => {
    const line = taskLine({ total: 10, done: 3, failed: 1, running: 2, startedMs: 0 }, 8000);
    expect(line).toBe('runner: 3/10 done, 1 failed, 2 running | 8.0s elapsed | ETA 12.0s');
  });
  it('has no ETA before the first task finishes', () => {
    expect(taskLine({ total: 4, done: 0, failed: 0, running: 2, startedMs: 0 }, 1000)).not.toMatch(
      /ETA/,
    );
  });
});

function run(tty: boolean, verbose = false): string {
  let out = '';
  let t = 0;
  const { sink, close } = createProgress({
    write: (s) => (out += s),
    tty,
    verbose,
    now: () => t,
    intervalMs: 60_000,
  });
  sink({ type: 'stage-start', stage: 'builder' });
  sink({ type: 'stage-end', stage: 'builder', ok: true, durationMs: 500 });
  sink({ type: 'stage-start', stage: 'runner', numTasks: 2 });
  sink({ type: 'task', phase: 'start', index: 0, attempt: 1, total: 2 });
  sink({ type: 'task', phase: 'start', index: 1, attempt: 1, total: 2 });
  t = 2000;
  sink({
    type: 'task',
    phase: 'succeeded',
    index: 0,
    attempt: 1,
    total: 2,
    exitCode: 0,
    durationMs: 2000,
  });
  sink({ type: 'task', phase: 'retry', index: 1, attempt: 2, total: 2, exitCode: 3 });
  sink({ type: 'task', phase: 'start', index: 1, attempt: 2, total: 2 });
  sink({
    type: 'task',
    phase: 'failed',
    index: 1,
    attempt: 2,
    total: 2,
    exitCode: 3,
    durationMs: 3000,
  });
  sink({ type: 'stage-end', stage: 'runner', ok: false, durationMs: 3000 });
  close();
  return out;
}

describe('createProgress', () => {
  it('writes plain lines when not a terminal: no escape codes, one line per finished task', () => {
    const out = run(false);
    expect(out.includes('\u001b')).toBe(false);
    expect(out.split('\n')).toEqual([
      'builder: started',
      'builder: done in 0.5s',
      'runner: 2 task(s)',
      'runner: task 0 done in 2.0s [1/2]',
      'runner: task 1 failed, retrying (attempt 2)',
      'runner: task 1 FAILED after 2 attempt(s) (exit code 3)',
      'runner: FAILED in 3.0s (1 done, 1 failed)',
      '',
    ]);
  });

  it('redraws one live line on a terminal and clears it when the stage ends', () => {
    const out = run(true);
    expect(out).toContain(
      '\r\x1b[2Krunner: 1/2 done, 0 failed, 1 running | 2.0s elapsed | ETA 2.0s',
    );
    expect(out).toContain('\r\x1b[2Krunner: task 1 FAILED after 2 attempt(s) (exit code 3)\n');
    expect(out.endsWith('runner: FAILED in 3.0s (1 done, 1 failed)\n')).toBe(true);
    expect(out).not.toMatch(/task 0 done in/);
  });

  it('with --verbose, names every task start and end, also above the live line on a terminal', () => {
    const plain = run(false, true).split('\n');
    expect(plain.slice(2, 8)).toEqual([
      'runner: 2 task(s)',
      'runner: task 0 started (attempt 1)',
      'runner: task 1 started (attempt 1)',
      'runner: task 0 done in 2.0s [1/2]',
      'runner: task 1 failed, retrying (attempt 2)',
      'runner: task 1 started (attempt 2)',
    ]);
    const live = run(true, true);
    expect(live).toContain('\r\x1b[2Krunner: task 0 done in 2.0s [1/2]\n');
    expect(live).toContain('\r\x1b[2Krunner: task 1 started (attempt 2)\n');
  });
});
