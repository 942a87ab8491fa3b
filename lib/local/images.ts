import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EnvironmentError, StageError } from '../errors.js';

/** Image tags local mode builds and runs. */
export const IMAGES = { local: 'epycloud:local', cloud: 'epycloud:cloud' } as const;
/** Targets of docker/Dockerfile. */
export type ImageTarget = keyof typeof IMAGES;

/** The default base image: the official Node image (pulled by Docker when missing). */
export const DEFAULT_BASE_IMAGE = 'node:20-bookworm-slim';

/** Options of {@link buildImage}. */
export interface BuildImageOptions {
  readonly projectRoot: string;
  readonly target: ImageTarget;
  readonly baseImage: string;
  /** Receives Docker's build output. */
  readonly write: (text: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** The `docker build` arguments for a target: host network for `npm ci`, never a bridge. */
export function buildArgs(projectRoot: string, target: ImageTarget, baseImage: string): string[] {
  return [
    'build',
    '--force-rm',
    '--network',
    'host',
    '-f',
    join(projectRoot, 'docker', 'Dockerfile'),
    '--target',
    target,
    '--build-arg',
    `BASE_IMAGE=${baseImage}`,
    '-t',
    IMAGES[target],
    projectRoot,
  ];
}

/** Builds one target of docker/Dockerfile; resolves to the build's wall time in ms. */
export async function buildImage(options: BuildImageOptions): Promise<number> {
  const started = performance.now();
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn('docker', buildArgs(options.projectRoot, options.target, options.baseImage), {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => options.write(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => options.write(chunk.toString('utf8')));
    child.on('error', (error) => reject(new EnvironmentError(`Cannot run docker: ${error.message}`)));
    child.on('close', (code) => resolve(code ?? 1));
  });
  if (exitCode !== 0) {
    throw new StageError(
      `docker build of target ${options.target} (${IMAGES[options.target]}) failed with exit code ${exitCode} (base image ${options.baseImage}; ` +
        'machines that cannot pull images: bash scripts/build-base-image.sh, then --base-image epycloud-base:local)',
    );
  }
  return performance.now() - started;
}
