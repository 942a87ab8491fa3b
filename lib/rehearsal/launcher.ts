import { spawn } from 'node:child_process';
import type { StageName } from '../contract/layout.js';
import { stageEntryArgs, type StageEntry } from '../host/stage-entry.js';

/** One container attempt as the Batch stand-in starts it. */
export interface ContainerLaunch {
  readonly stage: StageName;
  /** The container's whole environment (job definition, overrides, Batch's own variables). */
  readonly env: Readonly<Record<string, string>>;
  /** The job definition's command (containers run it; processes run the stage entrypoint). */
  readonly command?: readonly string[] | undefined;
  /** The job definition revision's image, when PrepareRun registered one (containers run it; processes run this checkout's code). */
  readonly image?: string | undefined;
  readonly signal: AbortSignal;
}

/** How an attempt ended. */
export interface ContainerExit {
  readonly exitCode: number;
  /** Batch's reason text, e.g. `Essential container in task exited`. */
  readonly reason: string;
  /** The last lines the container wrote on stderr. */
  readonly logTail: string;
}

/** Starts stage containers (processes here). */
export type ContainerLauncher = (launch: ContainerLaunch) => Promise<ContainerExit>;

/** Options of {@link processContainerLauncher}. */
export interface ProcessLauncherOptions {
  readonly projectRoot: string;
  readonly entry: StageEntry;
  /** Variables every container gets besides its job's (PATH, the S3 endpoint and keys). */
  readonly baseEnv: Readonly<Record<string, string>>;
}

const TAIL_BYTES = 4000;

/**
 * Runs each attempt as a host process of the stage entrypoint (the bundle or
 * the source). Aborting the signal kills the process, as Batch's TerminateJob
 * stops a container.
 */
export function processContainerLauncher(options: ProcessLauncherOptions): ContainerLauncher {
  const command = stageEntryArgs(options.projectRoot, options.entry);
  return ({ stage, env, signal }) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [...command, stage], {
        cwd: options.projectRoot,
        env: { ...options.baseEnv, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let tail = '';
      child.stderr.on('data', (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-TAIL_BYTES);
      });
      const kill = (): boolean => child.kill('SIGTERM');
      signal.addEventListener('abort', kill, { once: true });
      child.once('error', (error) =>
        resolve({
          exitCode: 127,
          reason: `CannotStartContainerError: ${error.message}`,
          logTail: tail,
        }),
      );
      child.once('close', (code, killedBy) => {
        signal.removeEventListener('abort', kill);
        const reason = signal.aborted
          ? 'Job terminated'
          : killedBy
            ? `Container killed by ${killedBy}`
            : 'Essential container in task exited';
        resolve({ exitCode: code ?? 137, reason, logTail: tail });
      });
    });
}
