import { randomBytes } from 'node:crypto';
import {
  link,
  mkdir,
  readFile,
  rename,
  rmdir,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { RunLayout } from '../contract/layout.js';
import { BusyError, StorageError } from '../errors.js';
import { bucketPath } from './run-state.js';
import type { LocalContext } from './stages.js';

/** What a lock file records about the process holding it. */
const holderSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  /** ISO time the holder took the lock. */
  startedAt: z.string(),
  /** The holder's command line, for the busy message. */
  command: z.string(),
  /** Tells this holding apart from any other (pids are reused). */
  token: z.string(),
});
/** The holder of a run lock. */
export type LockHolder = z.infer<typeof holderSchema>;

/** This process and its machine as a lock sees them; tests pass their own. */
export interface LockEnv {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly now: () => number;
  /** Whether a process of this host is alive. */
  readonly isAlive: (pid: number) => boolean;
}

/** The holder refreshes its lock's mtime every `heartbeatMs`; a lock untouched for `staleAfterMs` is stale whatever its host. */
export const LOCK_TIMING = {
  heartbeatMs: 30_000,
  staleAfterMs: 10 * 60_000,
  unreadableGraceMs: 10_000,
} as const;

/** A held lock. `release` is idempotent and never removes a lock another process took over. */
export interface RunLock {
  readonly file: string;
  release(): Promise<void>;
}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** Whether a pid is alive here: `kill(pid, 0)` succeeds, or is refused (EPERM: alive, not ours). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) === 'EPERM';
  }
}

/** The {@link LockEnv} of this process. */
export function systemLockEnv(): LockEnv {
  return {
    pid: process.pid,
    host: hostname(),
    command: ['epycloud', ...process.argv.slice(2)].join(' '),
    now: Date.now,
    isAlive,
  };
}

/**
 * Why a lock is stale, or undefined while its holder may still run: a holder on
 * this host whose pid is gone, a lock nobody refreshed for `staleAfterMs` (any
 * host), or an unreadable one (a holder killed while writing it) past a grace.
 */
function staleReason(
  holder: LockHolder | undefined,
  ageMs: number,
  env: LockEnv,
): string | undefined {
  const age = `${Math.round(ageMs / 1000)} s`;
  if (holder === undefined)
    return ageMs > LOCK_TIMING.unreadableGraceMs
      ? `the lock is unreadable and ${age} old`
      : undefined;
  if (holder.host === env.host && !env.isAlive(holder.pid))
    return `process ${holder.pid} is no longer running on ${holder.host}`;
  if (ageMs > LOCK_TIMING.staleAfterMs)
    return `its holder has not refreshed it for ${age} (it does every ${LOCK_TIMING.heartbeatMs / 1000} s)`;
  return undefined;
}

function describe(holder: LockHolder | undefined): string {
  return holder === undefined
    ? 'an unknown process'
    : `pid ${holder.pid} on ${holder.host} (since ${holder.startedAt}: ${holder.command})`;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The lock's holder (undefined when unreadable) and age since its last refresh; undefined when there is no lock. */
async function readLock(
  file: string,
  env: LockEnv,
): Promise<{ holder: LockHolder | undefined; ageMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { holder: parseHolder(text), ageMs: env.now() - info.mtimeMs };
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined;
    throw new StorageError(`Cannot read the lock ${file}: ${(error as Error).message}`);
  }
}

/** Creates the lock atomically (`wx`); false when it exists. */
async function tryCreate(file: string, holder: LockHolder): Promise<boolean> {
  try {
    await writeFile(file, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if (errno(error) === 'EEXIST') return false;
    throw new StorageError(`Cannot create the lock ${file}: ${(error as Error).message}`);
  }
}

/**
 * Moves a stale lock aside and deletes it, checking it is still the one judged
 * stale (same token); a fresh lock moved by a racing takeover is put back.
 */
async function removeStale(
  file: string,
  stale: LockHolder | undefined,
  env: LockEnv,
): Promise<boolean> {
  const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if (errno(error) === 'ENOENT') return false;
    throw new StorageError(`Cannot take over the lock ${file}: ${(error as Error).message}`);
  }
  const moved = await readLock(aside, env);
  const same = moved?.holder?.token === stale?.token;
  if (!same) await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
  return same;
}

/** Removes the folders the lock created (deepest first) while they are empty. */
async function removeCreatedDirs(dir: string, created: string | undefined): Promise<void> {
  const removed = (path: string): Promise<boolean> =>
    rmdir(path).then(
      () => true,
      () => false,
    );
  if (created === undefined) return;
  for (let current = dir; current.startsWith(created); current = dirname(current))
    if (!(await removed(current))) return;
}

function held(
  file: string,
  holder: LockHolder,
  created: string | undefined,
  env: LockEnv,
): RunLock {
  const heartbeat = setInterval(() => {
    const now = new Date(env.now());
    utimes(file, now, now).catch(() => undefined);
  }, LOCK_TIMING.heartbeatMs);
  heartbeat.unref();
  let released: Promise<void> | undefined;
  const release = async (): Promise<void> => {
    clearInterval(heartbeat);
    if ((await readLock(file, env))?.holder?.token === holder.token)
      await unlink(file).catch(() => undefined);
    await removeCreatedDirs(dirname(file), created);
  };
  return { file, release: () => (released ??= release()) };
}

/**
 * Takes the lock file `file` for `what` (e.g. "run R of X"): created with `wx`,
 * holding pid, host, start time and command. A held lock is a `BusyError`
 * (exit code 7) naming its holder; a stale one is taken over, and `note` says so.
 */
export async function acquireLock(
  file: string,
  what: string,
  note: (message: string) => void,
  env: LockEnv = systemLockEnv(),
): Promise<RunLock> {
  const created = await mkdir(dirname(file), { recursive: true });
  const holder: LockHolder = {
    pid: env.pid,
    host: env.host,
    startedAt: new Date(env.now()).toISOString(),
    command: env.command,
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (await tryCreate(file, holder)) return held(file, holder, created, env);
    const current = await readLock(file, env);
    if (current === undefined) continue;
    const reason = staleReason(current.holder, current.ageMs, env);
    if (reason === undefined) {
      throw new BusyError(
        `${what} is in use by another epycloud: ${describe(current.holder)}. ` +
          `Wait for it to end or stop it; a lock whose holder is gone is taken over by the next run (lock file: ${file})`,
      );
    }
    if (await removeStale(file, current.holder, env))
      note(`Taking over the lock of ${what} from ${describe(current.holder)}: ${reason}`);
  }
  throw new BusyError(`${what}: other processes keep taking its lock (${file}); try again`);
}

/** Takes the lock of a local run (`<run>/.lock` in the local bucket); takeovers are progress notes. */
export function acquireRunLock(
  ctx: Pick<LocalContext, 'paths' | 'progress'>,
  layout: RunLayout,
  env?: LockEnv,
): Promise<RunLock> {
  const note = (message: string): void => ctx.progress({ type: 'note', message });
  return acquireLock(
    bucketPath(ctx.paths.bucketDir, layout.lock),
    `Run ${layout.runId} of ${layout.expId}`,
    note,
    env,
  );
}

/** Runs `fn` holding the run's lock, released on every way out. */
export async function withRunLock<T>(
  ctx: Pick<LocalContext, 'paths' | 'progress'>,
  layout: RunLayout,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await acquireRunLock(ctx, layout);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/**
 * Holds at most one run lock for a caller that learns its run late (after
 * validating): `take` locks a run, `release` frees it if one was taken.
 */
export function runLockSlot(ctx: Pick<LocalContext, 'paths' | 'progress'>): {
  take(layout: RunLayout): Promise<void>;
  release(): Promise<void>;
} {
  let lock: RunLock | undefined;
  return {
    take: async (layout) => void (lock ??= await acquireRunLock(ctx, layout)),
    release: async () => lock?.release(),
  };
}
