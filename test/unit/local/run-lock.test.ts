import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../lib/backend/types.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { BusyError } from '../../../lib/errors.js';
import { runLocalJob } from '../../../lib/local/job.js';
import {
  acquireLock,
  acquireRunLock,
  LOCK_TIMING,
  systemLockEnv,
  type LockEnv,
} from '../../../lib/local/run-lock.js';
import { bucketPath, clearRun, runExists } from '../../../lib/local/run-state.js';
import { runLocalWorkflow } from '../../../lib/local/workflow.js';
import { fakeContext, removeTempDirs, tempPaths } from './fakes.js';

afterAll(removeTempDirs);

/** A pid that belonged to a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
const env = (over: Partial<LockEnv> = {}): LockEnv => ({
  pid: 4242,
  host: 'this-host',
  command: 'epycloud run workflow --local',
  now: Date.now,
  isAlive: () => true,
  ...over,
});
const notes: string[] = [];
const note = (message: string): void => void notes.push(message);

async function lockFile(): Promise<string> {
  return join((await tempPaths()).bucketDir, 'exp', 'r1', '.lock');
}

async function age(file: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(file, then, then);
}

describe('acquireLock', () => {
  it('creates the lock with pid, host, start time and command, and release removes it and the folders it made', async () => {
    const file = await lockFile();
    const lock = await acquireLock(file, 'Run r1 of exp', note, env());
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      pid: 4242,
      host: 'this-host',
      command: 'epycloud run workflow --local',
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    await lock.release();
    await lock.release();
    await expect(stat(dirname(dirname(file)))).rejects.toThrow(/ENOENT/);
  });

  it('fails at once, naming the holder, while a live process holds it (exit code 7)', async () => {
    const file = await lockFile();
    const lock = await acquireLock(file, 'Run r1 of exp', note, env());
    const error = await acquireLock(file, 'Run r1 of exp', note, env({ pid: 5555 })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BusyError);
    expect((error as BusyError).exitCode).toBe(7);
    expect((error as Error).message).toMatch(
      /Run r1 of exp is in use by another epycloud: pid 4242 on this-host \(since .*: epycloud run workflow --local\)/,
    );
    expect((error as Error).message).toContain(file);
    await lock.release();
  });

  it('takes over the lock of a pid that no longer runs on this host, and says so', async () => {
    const file = await lockFile();
    const pid = deadPid();
    await acquireLock(file, 'Run r1 of exp', note, env({ pid })); // never released: its holder "died"
    notes.length = 0;
    const lock = await acquireLock(
      file,
      'Run r1 of exp',
      note,
      env({ isAlive: (p) => p !== pid, pid: 5555 }),
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: 5555 });
    expect(notes).toEqual([
      expect.stringMatching(
        new RegExp(
          `Taking over the lock of Run r1 of exp from pid ${pid} on this-host .*no longer running`,
        ),
      ),
    ]);
    await lock.release();
  });

  it('with the real process table: a dead pid is stale, a live one is not', async () => {
    const file = await lockFile();
    await mkdir(dirname(file), { recursive: true });
    const holder = (pid: number) =>
      JSON.stringify({
        pid,
        host: env().host,
        startedAt: '2026-01-01T00:00:00Z',
        command: 'x',
        token: 't',
      });
    await writeFile(file, holder(process.pid));
    const real = env({ isAlive: systemLockEnv().isAlive });
    await expect(acquireLock(file, 'Run r1', note, real)).rejects.toThrow(BusyError);
    await writeFile(file, holder(deadPid()));
    await (await acquireLock(file, 'Run r1', note, real)).release();
  });

  it('keeps a lock of another host while it is refreshed, takes it over once it is not', async () => {
    const file = await lockFile();
    await acquireLock(file, 'Run r1 of exp', note, env({ host: 'other-host' }));
    await expect(
      acquireLock(file, 'Run r1 of exp', note, env({ isAlive: () => false })),
    ).rejects.toThrow(/pid 4242 on other-host/);
    await age(file, LOCK_TIMING.staleAfterMs + 1_000);
    const lock = await acquireLock(file, 'Run r1 of exp', note, env());
    expect(notes.at(-1)).toMatch(/has not refreshed it for 60\d s/);
    await lock.release();
  });

  it('treats an unreadable lock as held for a grace period (a holder still writing it), then as stale', async () => {
    const file = await lockFile();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '');
    await expect(acquireLock(file, 'Run r1', note, env())).rejects.toThrow(
      /in use by another epycloud: an unknown process/,
    );
    await age(file, LOCK_TIMING.unreadableGraceMs + 1_000);
    await (await acquireLock(file, 'Run r1', note, env())).release();
  });

  it('never removes a lock another process took over', async () => {
    const file = await lockFile();
    const first = await acquireLock(file, 'Run r1', note, env());
    await age(file, LOCK_TIMING.staleAfterMs + 1_000);
    const second = await acquireLock(file, 'Run r1', note, env({ host: 'other-host' }));
    await first.release();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ host: 'other-host' });
    await second.release();
    expect(await readdir(dirname(file)).catch(() => [])).toEqual([]);
  });
});

describe('run lock in local runs', () => {
  it('two resumes of one run at once: the second fails fast naming the holder, no task runs twice', async () => {
    const { ctx, launcher } = await fakeContext({ numTasks: 4, taskMs: 150 });
    const base = { expId: 'examples/fake', parallelism: 4, retries: 0 };
    await runLocalWorkflow(ctx, { ...base, runId: 'r1', skipOutput: true });
    const layout = new RunLayout('examples/fake', 'r1');
    for (let i = 0; i < 4; i += 1) await ctx.storage.delete(layout.result(i));
    launcher.launches.length = 0;
    const first = runLocalWorkflow(ctx, { ...base, resume: 'r1' });
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    const second = await runLocalWorkflow(ctx, { ...base, resume: 'r1' }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(100);
    expect(second).toBeInstanceOf(BusyError);
    expect((second as Error).message).toMatch(
      new RegExp(`Run r1 of examples/fake is in use by another epycloud: pid ${process.pid} on `),
    );
    expect(await first).toMatchObject({ status: 'succeeded', runner: { tasksRun: 4 } });
    expect(launcher.launches.filter((l) => l.stage === 'runner')).toHaveLength(4);
    await expect(stat(bucketPath(ctx.paths.bucketDir, layout.lock))).rejects.toThrow(/ENOENT/);
  });

  it('run job is refused while a workflow holds the run, and the lock is released when a run throws', async () => {
    const { ctx } = await fakeContext({ numTasks: 2 });
    const layout = new RunLayout('examples/fake', 'r2');
    const held = await acquireRunLock(ctx, layout);
    await expect(
      runLocalJob(ctx, {
        expId: layout.expId,
        runId: 'r2',
        stage: 'builder',
        parallelism: 1,
        retries: 0,
      }),
    ).rejects.toThrow(BusyError);
    await held.release();
    await expect(
      runLocalWorkflow(ctx, { expId: layout.expId, resume: 'r2', parallelism: 1, retries: 0 }),
    ).rejects.toThrow(/Cannot resume/);
    await expect(stat(bucketPath(ctx.paths.bucketDir, layout.prefix))).rejects.toThrow(/ENOENT/);
  });

  it('the lock is no artifact: a run holding only its lock does not exist, and clearing a run keeps the lock', async () => {
    const { ctx } = await fakeContext({ numTasks: 1 });
    const layout = new RunLayout('examples/fake', 'r3');
    await ctx.storage.put(layout.lock, '{}');
    expect(await runExists(ctx.storage, layout)).toBe(false);
    await ctx.storage.put(layout.manifest, '{}');
    await clearRun(ctx.storage, layout);
    expect(await ctx.storage.list(layout.prefix)).toEqual([layout.lock]);
  });

  it('takes over the stale lock of a dead process, keeps it through a run replaced with --yes, then releases it', async () => {
    const { ctx } = await fakeContext({ numTasks: 1 });
    const options = { expId: 'examples/fake', runId: 'r4', yes: true, parallelism: 1, retries: 0 };
    await runLocalWorkflow(ctx, options);
    const file = bucketPath(ctx.paths.bucketDir, new RunLayout(options.expId, options.runId).lock);
    const pid = deadPid();
    await mkdir(dirname(file), { recursive: true }); // memory storage: only the lock is on disk
    await writeFile(
      file,
      JSON.stringify({
        pid,
        host: hostname(),
        startedAt: '2026-01-01T00:00:00Z',
        command: 'y',
        token: 'z',
      }),
    );
    const events: ProgressEvent[] = [];
    const lockedAtStages: boolean[] = [];
    const progress = (e: ProgressEvent): void => {
      events.push(e);
      if (e.type === 'stage-start') lockedAtStages.push(existsSync(file));
    };
    expect(await runLocalWorkflow({ ...ctx, progress }, options)).toMatchObject({
      status: 'succeeded',
    });
    expect(events).toContainEqual({
      type: 'note',
      message: expect.stringMatching(
        new RegExp(`Taking over the lock of Run r4 .* from pid ${pid} `),
      ),
    });
    expect(lockedAtStages).toEqual([true, true, true]);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });
});
