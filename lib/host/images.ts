import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EnvironmentError, StageError } from '../errors.js';
import { stageCodeHash } from './bundle.js';

/** Image tags local mode builds and runs. */
export const IMAGES = { local: 'epycloud:local', cloud: 'epycloud:cloud' } as const;
/** Targets of docker/Dockerfile. */
export type ImageTarget = keyof typeof IMAGES;

/** Image label holding the SHA-256 of the stage bundle the image was built from. */
export const CODE_LABEL = 'org.epycloud.stage-code-sha256';

/** The default base image: the official Node image (pulled by Docker when missing). */
export const DEFAULT_BASE_IMAGE = 'node:22-bookworm-slim';

/** The stand-in base scripts/build-base-image.sh makes on machines that cannot pull images. */
export const STAND_IN_BASE_IMAGE = 'epycloud-base:local';

/** Options of {@link buildImage}. */
export interface BuildImageOptions {
  readonly projectRoot: string;
  readonly target: ImageTarget;
  readonly baseImage: string;
  /** Receives Docker's build output. */
  readonly write: (text: string) => void;
  /** The environment Docker and the scripts run with (PATH included): the caller's whole environment. */
  readonly env: NodeJS.ProcessEnv;
}

/** The `docker build` arguments for a target: host network for `npm ci`, never a bridge. */
export function buildArgs(
  projectRoot: string,
  target: ImageTarget,
  baseImage: string,
  codeHash = 'unknown',
): string[] {
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
    '--build-arg',
    `STAGE_CODE_SHA256=${codeHash}`,
    '-t',
    IMAGES[target],
    projectRoot,
  ];
}

/** Runs a program with its output streamed to `write`; resolves to its exit code. */
function runStreaming(
  file: string,
  args: readonly string[],
  write: (text: string) => void,
  env?: NodeJS.ProcessEnv,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(file, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => write(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => write(chunk.toString('utf8')));
    child.on('error', (error) =>
      reject(new EnvironmentError(`Cannot run ${file}: ${error.message}`)),
    );
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * Makes sure the stand-in base exists when it is the base asked for:
 * runs scripts/build-base-image.sh (which skips an existing image).
 */
export async function ensureStandInBase(options: BuildImageOptions): Promise<void> {
  if (options.baseImage !== STAND_IN_BASE_IMAGE) return;
  const script = join(options.projectRoot, 'scripts', 'build-base-image.sh');
  const exitCode = await runStreaming('bash', [script], options.write, {
    ...options.env,
    EPYCLOUD_BASE_IMAGE: STAND_IN_BASE_IMAGE,
  });
  if (exitCode !== 0)
    throw new EnvironmentError(
      `scripts/build-base-image.sh failed with exit code ${exitCode}: the stand-in base ${STAND_IN_BASE_IMAGE} is missing`,
    );
}

/** Builds one target of docker/Dockerfile; resolves to the build's wall time in ms. */
export async function buildImage(options: BuildImageOptions): Promise<number> {
  const started = performance.now();
  const args = buildArgs(
    options.projectRoot,
    options.target,
    options.baseImage,
    await stageCodeHash(options.projectRoot),
  );
  const exitCode = await runStreaming('docker', args, options.write, options.env);
  if (exitCode !== 0) {
    throw new StageError(
      `docker build of target ${options.target} (${IMAGES[options.target]}) failed with exit code ${exitCode} (base image ${options.baseImage}; ` +
        `machines that cannot pull images: --base-image ${STAND_IN_BASE_IMAGE}, built by scripts/build-base-image.sh)`,
    );
  }
  return performance.now() - started;
}
