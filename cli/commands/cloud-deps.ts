import { cloudSession, type CloudSession } from '../../lib/cloud/session.js';
import type { CloudBackendOptions } from './cloud-context.js';

/** What cloud-only commands need from the outside world; tests pass their own. */
export interface CloudCommandDeps {
  readonly session: (options: CloudBackendOptions) => CloudSession;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** The real dependencies, read from this process once. */
export function processCloudDeps(): CloudCommandDeps {
  const env = process.env;
  return {
    session: (o) => cloudSession({ region: o.region, profile: o.profile }, o.stackPrefix ?? env.EPYCLOUD_STACK_PREFIX),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env,
    cwd: process.cwd(),
  };
}
