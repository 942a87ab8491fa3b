import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  buildImage,
  ensureStandInBase,
  STAND_IN_BASE_IMAGE,
  type ImageTarget,
} from '../../../lib/host/images.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

/** Base image for test builds: the stand-in scripts/build-base-image.sh makes (no pulls here). */
export const TEST_BASE_IMAGE = process.env.EPYCLOUD_BASE_IMAGE ?? STAND_IN_BASE_IMAGE;

const script = (name: string, ...args: string[]): void => {
  const result = spawnSync('bash', [join(PROJECT_ROOT, 'scripts', name), ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0)
    throw new Error(`scripts/${name} ${args.join(' ')} failed with exit code ${result.status}`);
};

const engineAnswers = (): boolean =>
  spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;

/**
 * Makes Docker usable for the suite: starts the engine (scripts/docker-engine.sh)
 * when none answers, builds the stand-in base image when missing, and builds
 * the image targets (default both; cached layers make repeats quick). Returns
 * a release function that stops only an engine this call started.
 */
export async function prepareDocker(
  targets: readonly ImageTarget[] = ['local', 'cloud'],
): Promise<() => void> {
  const started = !engineAnswers();
  if (started) script('docker-engine.sh', 'start');
  let output = '';
  const write = (text: string): void => void (output += text);
  try {
    await ensureStandInBase({
      projectRoot: PROJECT_ROOT,
      target: 'local',
      baseImage: TEST_BASE_IMAGE,
      env: process.env,
      write,
    });
    for (const target of targets) {
      await buildImage({
        projectRoot: PROJECT_ROOT,
        target,
        baseImage: TEST_BASE_IMAGE,
        env: process.env,
        write,
      });
    }
  } catch (error) {
    if (started) script('docker-engine.sh', 'stop');
    throw new Error(`${(error as Error).message}\n${output.slice(-4000)}`);
  }
  return () => {
    if (started) script('docker-engine.sh', 'stop');
  };
}

/** `docker run --rm --network none <image> <command...>`: exit code and output. */
export function dockerRun(
  image: string,
  command: readonly string[],
  options: readonly string[] = [],
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(
    'docker',
    ['run', '--rm', '--network', 'none', ...options, image, ...command],
    { encoding: 'utf8' },
  );
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** A field of `docker image inspect`. */
export function inspectImage(image: string, format: string): string {
  return execFileSync('docker', ['image', 'inspect', '--format', format, image], {
    encoding: 'utf8',
  }).trim();
}

/** Builds examples/python-model (the contract in Python) on the test base as `tag`: exit code and output. */
export function buildPythonModel(tag: string): { status: number; stderr: string } {
  const result = spawnSync(
    'docker',
    [
      ...['build', '-q', '--network', 'host', '--build-arg', `BASE_IMAGE=${TEST_BASE_IMAGE}`],
      ...['-t', tag, join(PROJECT_ROOT, 'examples', 'python-model')],
    ],
    { encoding: 'utf8' },
  );
  return { status: result.status ?? 1, stderr: result.stderr };
}
