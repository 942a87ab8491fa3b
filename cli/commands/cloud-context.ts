import { createInterface } from 'node:readline/promises';
import type { Backend } from '../../lib/backend/types.js';
import { createCloudBackend } from '../../lib/cloud/backend.js';
import { ValidationError } from '../../lib/errors.js';
import { localExperiments } from '../../lib/host/experiment-source.js';
import { DEFAULT_LOCAL_DIR, localPaths } from '../../lib/host/paths.js';

/** The options that reach the cloud back end. */
export interface CloudBackendOptions {
  readonly localDir?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly stackPrefix?: string | undefined;
}

/** Asks on the terminal; without one, `--yes` is required. */
async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new ValidationError(`${question} Pass --yes to confirm when not on a terminal`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The cloud back end for parsed options: region and profile from flags, then the SDK's chain. */
export function cloudBackendFor(options: CloudBackendOptions, env: NodeJS.ProcessEnv, cwd: string): Backend {
  return createCloudBackend({
    target: { region: options.region, profile: options.profile },
    stackPrefix: options.stackPrefix ?? env.EPYCLOUD_STACK_PREFIX,
    paths: localPaths(options.localDir ?? env.EPYCLOUD_LOCAL_DIR ?? DEFAULT_LOCAL_DIR, cwd),
    experiments: localExperiments,
    confirm: confirmOnTerminal,
    hostEnv: env,
  });
}
