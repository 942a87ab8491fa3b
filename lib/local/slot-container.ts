import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { EnvironmentError } from '../errors.js';
import { STOP_GRACE_MS, type Exec, type LaunchResult } from '../host/exec.js';
import { lineSplitter, parseFrame, type TaskRequest } from './slot-agent.js';
import type { StageLaunch } from './types.js';

/** How to start one slot container. */
export interface SlotContainerOptions {
  /** The container's name (also what `docker rm -f` removes). */
  readonly name: string;
  /** `docker run -i --rm ... <image> node -e <agent>` arguments (see `slotRunArgs`). */
  readonly runArgs: readonly string[];
  /** The docker client's environment (PATH, DOCKER_HOST, ...). */
  readonly env: NodeJS.ProcessEnv;
  /** Runs `docker rm -f` when a task is stopped. */
  readonly exec: Exec;
}

/** The task a slot runs now. */
interface Current {
  readonly log: WriteStream;
  readonly lines: ReturnType<typeof lineSplitter> | undefined;
  readonly finish: (exitCode: number) => void;
}

async function openLog(file: string, header: string): Promise<WriteStream> {
  await mkdir(dirname(file), { recursive: true });
  const log = createWriteStream(file, { flags: 'a' });
  await new Promise<void>((resolve, reject) =>
    log.once('open', () => resolve()).once('error', reject),
  );
  log.write(`${header}\n`);
  return log;
}

/**
 * One long-lived slot container, running its stages and tasks one at a
 * time through the slot agent (`slot-agent.ts`). The `docker run -i` client
 * is a child of the CLI holding the agent's stdin: when the CLI ends, however
 * it ends, the agent sees its stdin close and the container ends (`--rm`).
 */
export class SlotContainer {
  readonly name: string;
  private readonly client: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number>;
  private current: Current | undefined;
  private ended = false;
  private startError: Error | undefined;

  constructor(private readonly options: SlotContainerOptions) {
    this.name = options.name;
    this.client = spawn('docker', [...options.runArgs], { env: options.env, stdio: 'pipe' });
    this.client.stdin.on('error', () => undefined); // the client may be gone before we write
    createInterface({ input: this.client.stdout }).on('line', (line) => this.onLine(line));
    this.client.stderr.setEncoding('utf8');
    this.client.stderr.on('data', (text: string) => this.current?.log.write(text));
    this.client.on('error', (error) => {
      this.startError = new EnvironmentError(`Cannot start docker: ${error.message}`);
    });
    this.exited = new Promise((resolve) =>
      this.client.on('close', (code) => {
        this.ended = true;
        this.current?.log.write(
          `=== epycloud: container ${this.name} ended (docker exit ${code}) before its task did ===\n`,
        );
        this.current?.finish(code || 125);
        resolve(code ?? 125);
      }),
    );
  }

  /** Whether the container can take another task. */
  get alive(): boolean {
    return !this.ended;
  }

  private onLine(line: string): void {
    const frame = parseFrame(line);
    if (frame === undefined) this.current?.log.write(`${line}\n`);
    else if ('d' in frame) {
      this.current?.log.write(frame.d);
      this.current?.lines?.write(frame.d);
    } else this.current?.finish(frame.exit);
  }

  /**
   * Runs one task to its end, its output appended to `launch.logFile` after
   * `header`. On abort the container is stopped and removed (see {@link kill})
   * and the promise rejects with the reason once the client has exited.
   */
  async run(launch: StageLaunch, request: TaskRequest, header: string): Promise<LaunchResult> {
    launch.signal?.throwIfAborted();
    const log = await openLog(launch.logFile, header);
    const started = performance.now();
    const signal = launch.signal;
    const stop = (): void => this.kill();
    try {
      const exitCode = await new Promise<number>((resolve, reject) => {
        const lines = launch.onLine === undefined ? undefined : lineSplitter(launch.onLine);
        this.current = {
          log,
          lines,
          finish: (code) => {
            this.current = undefined;
            lines?.end();
            signal?.removeEventListener('abort', stop);
            if (this.startError !== undefined) reject(this.startError);
            else if (signal?.aborted) void this.exited.then(() => reject(signal.reason));
            else resolve(code);
          },
        };
        signal?.addEventListener('abort', stop, { once: true });
        if (this.ended) this.current.finish(125);
        else if (signal?.aborted) stop();
        else this.client.stdin.write(`${JSON.stringify(request)}\n`);
      });
      return { exitCode, durationMs: performance.now() - started };
    } finally {
      await new Promise<void>((resolve) => log.end(resolve));
    }
  }

  /** Stops the container now: the agent's stdin closed, SIGTERM to the client, `docker rm -f`; SIGKILL after the grace. */
  kill(): void {
    this.client.stdin.end();
    this.client.kill('SIGTERM');
    this.options.exec('docker', ['rm', '-f', this.name]).catch(() => undefined);
    const hard = setTimeout(() => this.client.kill('SIGKILL'), STOP_GRACE_MS);
    void this.exited.then(() => clearTimeout(hard));
  }

  /** Ends the container once idle (the agent exits at the end of its stdin); resolves with the client's exit code. */
  close(): Promise<number> {
    this.client.stdin.end();
    const hard = setTimeout(() => this.kill(), STOP_GRACE_MS);
    return this.exited.finally(() => clearTimeout(hard));
  }
}
