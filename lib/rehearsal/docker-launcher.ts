import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ContainerExit, ContainerLauncher } from './launcher.js';

const TAIL_BYTES = 4000;

/** Options of {@link dockerContainerLauncher}. */
export interface DockerLauncherOptions {
  /** The cloud image, e.g. `epycloud:cloud`: what the deployed job definitions run. */
  readonly image: string;
  /** Variables every container gets besides its job's (the S3 server's endpoint and keys). */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** What to run for a revision's image (the stand-in ECR's `localImage`); default the image as written. */
  readonly localImage?: ((image: string) => string) | undefined;
}

/**
 * Runs each attempt as a container of the job definition revision's image
 * (the local image a pinned digest names), or of the cloud image for a
 * deployed definition, with the definition's command, on the host network so
 * that it reaches the S3 server on 127.0.0.1. Aborting the signal kills the
 * container (TerminateJob).
 */
export function dockerContainerLauncher(options: DockerLauncherOptions): ContainerLauncher {
  return ({ stage, env, command, image, signal }) =>
    new Promise<ContainerExit>((resolve) => {
      const name = `epycloud-rehearsal-${stage}-${randomBytes(4).toString('hex')}`;
      const envFlags = Object.entries({ ...options.baseEnv, ...env }).flatMap(([k, v]) => [
        '-e',
        `${k}=${v}`,
      ]);
      const args = [
        'run',
        '--rm',
        '--name',
        name,
        '--network',
        'host',
        ...envFlags,
        image === undefined ? options.image : (options.localImage?.(image) ?? image),
        ...(command ?? ['node', 'dist/stage.mjs', stage]),
      ];
      const child = spawn('docker', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let tail = '';
      child.stderr.on('data', (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-TAIL_BYTES);
      });
      const kill = (): void =>
        void spawn('docker', ['kill', name], { stdio: 'ignore' }).on('error', () => {});
      signal.addEventListener('abort', kill, { once: true });
      child.once('error', (error) =>
        resolve({
          exitCode: 127,
          reason: `CannotStartContainerError: ${error.message}`,
          logTail: tail,
        }),
      );
      child.once('close', (code) => {
        signal.removeEventListener('abort', kill);
        resolve({
          exitCode: code ?? 137,
          reason: signal.aborted ? 'Job terminated' : 'Essential container in task exited',
          logTail: tail,
        });
      });
    });
}
