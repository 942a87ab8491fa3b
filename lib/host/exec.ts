import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { tapLines } from './lines.js';

/** What a finished launch reports. */
export interface LaunchResult {
  /** The process exit code; 0 is success. */
  readonly exitCode: number;
  /** Wall time of the launch, including container start-up. */
  readonly durationMs: number;
}

/** Output of a finished command. */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command and captures its output; injected wherever local mode asks a
 * tool something, so tests can answer instead. A missing program yields exit
 * code 127, as a shell would; one that does not answer within 30 s is killed.
 */
export type Exec = (
  file: string,
  args: readonly string[],
  options?: { readonly env?: NodeJS.ProcessEnv },
) => Promise<ExecResult>;

/** The real {@link Exec}, over `child_process.spawn`. */
export const exec: Exec = (file, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(file, [...args], {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => resolve({ exitCode: 127, stdout: '', stderr: error.message }));
    child.on('close', (code, signal) =>
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });

/** Options of {@link spawnToLog}. */
export interface SpawnToLogOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Receives stdout and stderr, appended after `header`. */
  readonly logFile: string;
  readonly header: string;
  /** Receives each line of stdout and stderr as it arrives (the log file still gets every byte). */
  readonly onLine?: ((line: string) => void) | undefined;
  /** Aborting stops the program (see {@link spawnToLog}) and rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** More to do when stopping, e.g. remove the program's container. */
  readonly stop?: (() => Promise<unknown>) | undefined;
}

/** How long a stopped program may take to exit before it gets SIGKILL. */
export const STOP_GRACE_MS = 5_000;

/**
 * Runs a program to completion with its stdout and stderr appended to a log
 * file. A program that cannot start at all is an `EnvironmentError`. Its
 * stdin is a pipe held open while it runs: its lifeline, which closes when this
 * process ends however it ends (see `EPYCLOUD_LIFELINE`). On abort the program
 * gets its stdin closed, SIGTERM and `stop()`, SIGKILL after
 * {@link STOP_GRACE_MS}; the promise rejects once it has exited.
 */
export async function spawnToLog(
  file: string,
  args: readonly string[],
  options: SpawnToLogOptions,
): Promise<LaunchResult> {
  options.signal?.throwIfAborted();
  await mkdir(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  await new Promise<void>((resolve, reject) =>
    log.once('open', () => resolve()).once('error', reject),
  );
  log.write(`${options.header}\n`);
  const started = performance.now();
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(file, [...args], {
        env: options.env,
        cwd: options.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin.on('error', () => undefined); // the program may exit before its lifeline closes
      for (const stream of [child.stdout, child.stderr]) {
        stream.pipe(log, { end: false });
        if (options.onLine !== undefined) tapLines(stream, options.onLine);
      }
      let hardKill: NodeJS.Timeout | undefined;
      const stop = (): void => {
        child.stdin.end();
        child.kill('SIGTERM');
        options.stop?.().catch(() => undefined);
        hardKill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      };
      options.signal?.addEventListener('abort', stop, { once: true });
      if (options.signal?.aborted) stop(); // aborted while the log was opening: the listener never fires
      child.on('error', (error) =>
        reject(new EnvironmentError(`Cannot start ${file}: ${error.message}`)),
      );
      child.on('close', (code, signal) => {
        clearTimeout(hardKill);
        options.signal?.removeEventListener('abort', stop);
        if (options.signal?.aborted) reject(options.signal.reason);
        else resolve(code ?? (signal ? 128 : 1));
      });
    });
    return { exitCode, durationMs: performance.now() - started };
  } finally {
    await new Promise<void>((resolve) => log.end(resolve));
  }
}
