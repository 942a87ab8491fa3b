import { EnvironmentError } from '../errors.js';
import type { Exec } from '../host/exec.js';

/** How to call Docker Compose on this machine. */
export interface ComposeCommand {
  /** The program: `docker` (v2 plugin) or `docker-compose` (v1, or a v2 standalone binary). */
  readonly file: string;
  /** Arguments before Compose's own: `['compose']` for the plugin. */
  readonly prefix: readonly string[];
  /** Major version family. */
  readonly flavor: 'v1' | 'v2';
  /** The version Compose reports, e.g. `2.27.0` or `1.29.2`. */
  readonly version: string;
}

const CANDIDATES = [
  { file: 'docker', prefix: ['compose'] },
  { file: 'docker-compose', prefix: [] },
] as const;

function parseVersion(output: string): string | undefined {
  return /v?(\d+\.\d+\.\d+)/.exec(output)?.[1];
}

/**
 * Finds Docker Compose: `docker compose` (v2) first, then `docker-compose`.
 * Throws `EnvironmentError` saying how to install one when neither answers.
 */
export async function detectCompose(exec: Exec): Promise<ComposeCommand> {
  for (const candidate of CANDIDATES) {
    const result = await exec(candidate.file, [...candidate.prefix, 'version', '--short']);
    const version = result.exitCode === 0 ? parseVersion(result.stdout) : undefined;
    if (version !== undefined) {
      return {
        file: candidate.file,
        prefix: candidate.prefix,
        flavor: version.startsWith('1.') ? 'v1' : 'v2',
        version,
      };
    }
  }
  throw new EnvironmentError(
    'Docker Compose not found: neither `docker compose` (v2) nor `docker-compose` (v1) answers. ' +
      'Install one (Debian: apt-get install docker-compose; or the Compose v2 plugin), or run without Docker: --runtime process.',
  );
}

/** Where the Compose project lives. */
export interface ComposeProject {
  /** Absolute path of docker/compose.yaml. */
  readonly file: string;
  /** Compose project name. */
  readonly name: string;
}

/**
 * Arguments for a one-off `run` of a service: removed afterwards, no TTY,
 * stdin attached, the container named `name`; a `command` replaces the
 * service's (after the image's ENTRYPOINT, as `docker run image cmd...`).
 */
export function composeRunArgs(
  compose: ComposeCommand,
  project: ComposeProject,
  service: string,
  name: string,
  command: readonly string[] = [],
): string[] {
  return [
    ...compose.prefix,
    '-f',
    project.file,
    '-p',
    project.name,
    'run',
    '--rm',
    '-T',
    '--name',
    name,
    service,
    ...command,
  ];
}
