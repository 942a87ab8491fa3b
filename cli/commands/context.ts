import type { Command } from 'commander';
import { createLocalBackend, type Backend } from '../../lib/backend/index.js';
import { cloudBackendFor } from './cloud-context.js';
import { withCloudTargetOptions } from './cloud-options.js';
import { localExperiments } from '../../lib/host/experiment-source.js';
import { DEFAULT_LOCAL_DIR, localPaths } from '../../lib/host/paths.js';
import { RUNTIMES, type Runtime } from '../../lib/local/types.js';
import { ValidationError } from '../../lib/errors.js';
import type { BackendOptions } from './options.js';

/** What commands need from the outside world; tests pass their own. */
export interface CommandDeps {
  /** The back end for the parsed options. */
  readonly backend: (options: BackendOptions) => Backend;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (live progress line). */
  readonly stderrIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Local settings from flags, then `EPYCLOUD_LOCAL_DIR` / `EPYCLOUD_RUNTIME`, then defaults. */
export function localSettings(options: BackendOptions, env: NodeJS.ProcessEnv): { localDir: string; runtime: Runtime } {
  const runtime = options.runtime ?? env.EPYCLOUD_RUNTIME ?? 'docker';
  if (!(RUNTIMES as readonly string[]).includes(runtime)) {
    throw new ValidationError(`EPYCLOUD_RUNTIME="${runtime}" is invalid: expected one of ${RUNTIMES.join(', ')}`);
  }
  return { localDir: options.localDir ?? env.EPYCLOUD_LOCAL_DIR ?? DEFAULT_LOCAL_DIR, runtime: runtime as Runtime };
}

/** The real dependencies, read from this process once; `signal` stops a local run's stages. */
export function processDeps(signal?: AbortSignal): CommandDeps {
  const env = process.env;
  const cwd = process.cwd();
  return {
    backend: (options) => {
      if (!options.local) return cloudBackendFor(options, env, cwd);
      const { localDir, runtime } = localSettings(options, env);
      return createLocalBackend({
        paths: localPaths(localDir, cwd),
        runtime,
        hostEnv: env,
        user: { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 },
        experiments: localExperiments,
        signal,
      });
    },
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    env,
    cwd,
  };
}

/** Adds the options every back-end command takes. */
export function withBackendOptions(command: Command): Command {
  return withCloudTargetOptions(command)
    .option('--local', 'run on this machine (Docker Compose or processes) instead of AWS')
    .option(
      '--local-dir <dir>',
      `local folder: experiments in forecast/experiments/, artifacts in bucket/ (env EPYCLOUD_LOCAL_DIR; default ${DEFAULT_LOCAL_DIR})`,
    );
}
