import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../lib/errors.js';
import { spawnToLog, STOP_GRACE_MS } from '../../../lib/host/exec.js';
import { runPool } from '../../../lib/local/pool.js';
import { removeTempDirs, tempPaths } from './fakes.js';

afterAll(removeTempDirs);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts a program that runs `before`, prints its pid, then runs `script`; resolves once it printed. */
async function start(script: string, stop?: () => Promise<unknown>, before = '') {
  const { localDir } = await tempPaths();
  const controller = new AbortController();
  let printed: (pid: number) => void = () => undefined;
  const pid = new Promise<number>((resolve) => (printed = resolve));
  const launch = spawnToLog(
    process.execPath,
    ['-e', `${before} console.log('pid', process.pid); ${script}`],
    {
      env: {},
      cwd: localDir,
      logFile: join(localDir, 'stage.log'),
      header: 'h',
      onLine: (line) => /^pid \d+$/.test(line) && printed(Number(line.slice(4))),
      signal: controller.signal,
      stop,
    },
  );
  const launched = launch.catch((e: unknown) => e);
  return { pid: await pid, controller, launched };
}

describe('stopping a launch (spawnToLog with a signal)', () => {
  it('stops a running program on abort: stdin closed, SIGTERM, stop(); rejects with the reason once it has exited', async () => {
    let stopped = 0;
    const run = await start(
      'process.stdin.resume(); setTimeout(() => {}, 60_000);',
      async () => (stopped += 1),
    );
    expect(alive(run.pid)).toBe(true);
    const reason = new InterruptedError('SIGTERM');
    const t0 = performance.now();
    run.controller.abort(reason);
    expect(await run.launched).toBe(reason);
    expect(performance.now() - t0).toBeLessThan(STOP_GRACE_MS);
    expect(alive(run.pid)).toBe(false);
    expect(stopped).toBe(1);
  });

  it('kills a program that ignores SIGTERM after the grace period', async () => {
    const run = await start(
      'setInterval(() => {}, 1000);',
      undefined,
      "process.on('SIGTERM', () => {});",
    );
    const t0 = performance.now();
    run.controller.abort(new InterruptedError('SIGINT'));
    expect(await run.launched).toBeInstanceOf(InterruptedError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(STOP_GRACE_MS - 100);
    expect(alive(run.pid)).toBe(false);
  });

  it('gives the program a stdin held open while it runs (its lifeline), not an ended one', async () => {
    const { localDir } = await tempPaths();
    const logFile = join(localDir, 'stage.log');
    const script =
      "let ended = false; process.stdin.on('end', () => (ended = true)).resume(); setTimeout(() => { console.log(ended ? 'ended' : 'open'); process.exit(0); }, 300);";
    expect(
      (
        await spawnToLog(process.execPath, ['-e', script], {
          env: {},
          cwd: localDir,
          logFile,
          header: 'h',
        })
      ).exitCode,
    ).toBe(0);
    expect(await readFile(logFile, 'utf8')).toBe('h\nopen\n');
  });

  it('starts nothing once aborted', async () => {
    const { localDir } = await tempPaths();
    const controller = new AbortController();
    controller.abort(new InterruptedError('SIGINT'));
    const options = {
      env: {},
      cwd: localDir,
      logFile: join(localDir, 'x.log'),
      header: 'h',
      signal: controller.signal,
    };
    await expect(spawnToLog(process.execPath, ['-e', ''], options)).rejects.toBeInstanceOf(
      InterruptedError,
    );
    await expect(readFile(join(localDir, 'x.log'))).rejects.toThrow(/ENOENT/);
  });
});

describe('runPool when a launch throws', () => {
  it('starts no further task, waits for the running ones, then throws', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const error = await runPool({
      indexes: [0, 1, 2, 3, 4, 5],
      parallelism: 2,
      retries: 2,
      run: async (index) => {
        started.push(index);
        if (index === 0) throw new InterruptedError('SIGINT');
        await new Promise((r) => setTimeout(r, 50));
        finished.push(index);
        return { exitCode: 0, durationMs: 50 };
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });
});
