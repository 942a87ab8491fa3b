import { EnvironmentError } from '../errors.js';
import type { Exec } from './exec.js';

/** Whether a Docker engine answers, and which. */
export type EngineState =
  { readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string };

/** Asks the Docker engine for its version (`docker info`). */
export async function probeEngine(exec: Exec): Promise<EngineState> {
  const result = await exec('docker', ['info', '--format', '{{.ServerVersion}}']);
  const version = result.stdout.trim();
  if (result.exitCode === 0 && version !== '') return { ok: true, version };
  if (result.exitCode === 127) return { ok: false, reason: 'the docker command is not installed' };
  const reason =
    result.stderr
      .trim()
      .split('\n')
      .find((line) => line.trim() !== '') ?? `docker info exited with ${result.exitCode}`;
  return { ok: false, reason };
}

/** What to do once an engine answers, for the built-in image: build it, or do without Docker. */
const ENGINE_NEXT_STEPS =
  '  then build the images once: epycloud build local\n' +
  '  Or run the same stages as host processes, without Docker: add --runtime process';

/** Throws an `EnvironmentError` saying how to proceed (`nextSteps`: after starting an engine) unless an engine answers. */
export async function requireEngine(exec: Exec, nextSteps = ENGINE_NEXT_STEPS): Promise<string> {
  const state = await probeEngine(exec);
  if (state.ok) return state.version;
  throw new EnvironmentError(
    `No Docker engine answers (${state.reason}).\n` +
      '  Start one: bash scripts/docker-engine.sh start (or start Docker Desktop / the docker service),\n' +
      nextSteps,
  );
}

/** Why containers of `image` cannot run here (no engine, no image: with the command that builds it), or undefined when they can. */
export async function dockerUnavailable(
  exec: Exec,
  image: string,
  buildCommand: string,
): Promise<string | undefined> {
  const state = await probeEngine(exec);
  if (!state.ok) return `no Docker engine answers (${state.reason})`;
  return (await imageId(exec, image)) !== undefined
    ? undefined
    : `image ${image} is missing: build it with \`${buildCommand}\``;
}

/**
 * Throws an `EnvironmentError` saying how to get the image unless it exists
 * on this machine (default: the built-in image's build command). Never pulls.
 */
export async function requireImage(
  exec: Exec,
  image: string,
  howToGet = 'build it with: epycloud build local (or use --runtime process)',
): Promise<void> {
  if ((await imageId(exec, image)) === undefined)
    throw new EnvironmentError(`Docker image ${image} not found: ${howToGet}`);
}

/** The id (`sha256:...`) of a local image; undefined when the engine does not have it. */
export async function imageId(exec: Exec, image: string): Promise<string | undefined> {
  const inspect = await exec('docker', ['image', 'inspect', '--format', '{{.Id}}', image]);
  const id = inspect.stdout.trim();
  return inspect.exitCode === 0 && id !== '' ? id : undefined;
}

/** A label of a local image; undefined when the image has none. */
export async function imageLabel(
  exec: Exec,
  image: string,
  label: string,
): Promise<string | undefined> {
  const result = await exec('docker', [
    'image',
    'inspect',
    '--format',
    `{{ index .Config.Labels "${label}" }}`,
    image,
  ]);
  const value = result.stdout.trim();
  return result.exitCode === 0 && value !== '' && value !== '<no value>' ? value : undefined;
}
