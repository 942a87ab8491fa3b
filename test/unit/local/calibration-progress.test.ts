import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../lib/backend/types.js';
import {
  calibrationFromLogLine,
  type CalibrationProgress,
} from '../../../lib/contract/calibration-progress.js';
import { jsonLogger } from '../../../lib/log.js';
import { spawnToLog } from '../../../lib/host/exec.js';
import { createProgress, taskLine } from '../../../cli/progress.js';
import { runLocalWorkflow } from '../../../lib/local/workflow.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';
import { calibrationRecorder } from '../../../pipeline-scripts/calibration-progress.js';
import { fakeContext, removeTempDirs, tempPaths } from './fakes.js';

afterAll(removeTempDirs);

const at = (generation: number, more: Partial<CalibrationProgress> = {}): CalibrationProgress => ({
  generation,
  generations: 8,
  accepted: 300,
  particles: 300,
  tolerance: generation === 0 ? null : 12.5,
  simulations: 900,
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...more,
});

/** The JSON lines a real Stage B task logs for the given generations. */
function runnerLines(generations: readonly number[]): string[] {
  const lines: string[] = [];
  const log = jsonLogger({ stage: 'runner', exp_id: 'e', run_id: 'r', task_index: 3 }, (l) =>
    lines.push(l.trimEnd()),
  );
  const recorder = calibrationRecorder({
    storage: new Storage(new MemoryDriver()),
    key: 'e/r/progress/task_00003.json',
    plan: { generations: 8, particles: 300 },
    log,
  });
  for (const g of generations)
    recorder.onGeneration({
      generation: g,
      tolerance: 12.5,
      accepted: 300,
      simulations: 900,
      ess: 250,
    });
  return lines;
}

describe('calibration progress from Stage B log lines', () => {
  it('reads the progress a task logs, and nothing from other lines', () => {
    const [line] = runnerLines([3]);
    expect(calibrationFromLogLine(line!)).toMatchObject({
      generation: 3,
      generations: 8,
      accepted: 300,
      particles: 300,
      tolerance: 12.5,
    });
    expect(calibrationFromLogLine('{"message":"result written","generation":3}')).toBeUndefined();
    expect(calibrationFromLogLine('calibration generation, but not JSON')).toBeUndefined();
    expect(
      calibrationFromLogLine('{"message":"calibration generation","generation":"three"}'),
    ).toBeUndefined();
  });
});

describe('the live line with calibrating tasks', () => {
  const tasks = { total: 6, done: 3, failed: 0, running: 2, startedMs: 0 };

  it('shows the generation and particles of one task', () => {
    expect(taskLine(tasks, 8000, [at(3)])).toBe(
      'runner: 3/6 done, 0 failed, 2 running · calibrating: gen 4/8, 300/300 particles | 8.0s elapsed | ETA 8.0s',
    );
  });

  it('shows means over several tasks, and nothing when none calibrates', () => {
    expect(taskLine(tasks, 8000, [at(2, { accepted: 250 }), at(5)])).toMatch(
      /· calibrating 2 tasks: gen 5\/8 \(mean\), 275\/300 particles \(mean\) \|/,
    );
    expect(taskLine(tasks, 8000, [])).not.toMatch(/calibrating/);
  });
});

function render(tty: boolean, events: readonly ProgressEvent[]): string {
  let out = '';
  let t = 0;
  const { sink, close } = createProgress({
    write: (s) => (out += s),
    tty,
    now: () => t,
    intervalMs: 60_000,
  });
  sink({ type: 'stage-start', stage: 'runner', numTasks: 2 });
  sink({ type: 'task', phase: 'start', index: 0, attempt: 1, total: 2 });
  sink({ type: 'task', phase: 'start', index: 1, attempt: 1, total: 2 });
  t = 1000;
  events.forEach(sink);
  close();
  return out;
}

describe('createProgress with calibration events', () => {
  it('prints one plain line per new generation of a task, never a repeat', () => {
    const out = render(false, [
      { type: 'calibration', index: 1, progress: at(0) },
      { type: 'calibration', index: 1, progress: at(0) },
      {
        type: 'calibration',
        index: 0,
        progress: at(0, { particles: null, generations: 1, accepted: 412 }),
      },
      { type: 'calibration', index: 1, progress: at(1, { accepted: 280 }) },
    ]);
    expect(out.split('\n')).toEqual([
      'runner: 2 task(s)',
      'runner: task 1 calibrating: gen 1/8, 300/300 particles',
      'runner: task 0 calibrating: gen 1/1, 412 particles',
      'runner: task 1 calibrating: gen 2/8, 280/300 particles',
      '',
    ]);
  });

  it('puts the calibration on the live line of a terminal until the task ends', () => {
    const out = render(true, [
      { type: 'calibration', index: 1, progress: at(3) },
      {
        type: 'task',
        phase: 'succeeded',
        index: 1,
        attempt: 1,
        total: 2,
        exitCode: 0,
        durationMs: 1000,
      },
    ]);
    const redraws = out
      .split('\r\x1b[2K')
      .filter((s) => s.startsWith('runner: 0/2') || s.startsWith('runner: 1/2'));
    expect(redraws).toContain(
      'runner: 0/2 done, 0 failed, 2 running · calibrating: gen 4/8, 300/300 particles | 1.0s elapsed',
    );
    expect(redraws.at(-1)).toBe('runner: 1/2 done, 0 failed, 1 running | 1.0s elapsed | ETA 1.0s');
  });
});

describe('local Stage B reports calibration', () => {
  it('turns each task’s calibration lines into calibration events of that task', async () => {
    const lines = (index: number) =>
      index === 1 ? ['not json', ...runnerLines([0, 1])] : ['{"message":"result written"}'];
    const { ctx, events } = await fakeContext({ numTasks: 3, lines });
    await runLocalWorkflow(ctx, {
      expId: 'examples/fake',
      runId: 'r1',
      parallelism: 2,
      retries: 0,
    });
    const calibration = events.filter((e) => e.type === 'calibration');
    expect(calibration.map((e) => [e.index, e.progress.generation])).toEqual([
      [1, 0],
      [1, 1],
    ]);
  });

  it('spawnToLog hands over every line as it comes, split or not, while the log keeps every byte', async () => {
    const { localDir } = await tempPaths();
    const logFile = join(localDir, 'task.log');
    const script =
      "process.stdout.write('out\\n'); process.stderr.write('{\"a\":'); setTimeout(() => process.stderr.write('1}\\nsecond\\nlast'), 50);";
    const seen: string[] = [];
    const result = await spawnToLog(process.execPath, ['-e', script], {
      env: {},
      cwd: localDir,
      logFile,
      header: 'h',
      onLine: (l) => seen.push(l),
    });
    expect(result.exitCode).toBe(0);
    expect(seen.filter((l) => l !== 'out')).toEqual(['{"a":1}', 'second', 'last']);
    expect(seen).toContain('out');
    const log = await readFile(logFile, 'utf8');
    expect(log.startsWith('h\n')).toBe(true);
    for (const part of ['out\n', '{"a":', '1}\nsecond\nlast']) expect(log).toContain(part);
  });
});
