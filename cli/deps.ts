import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Backend } from '../lib/backend/types.js';
import type { CloudSession } from '../lib/cloud/session.js';
import { ValidationError } from '../lib/errors.js';
import { localExperiments } from '../lib/host/experiment-source.js';
import { localDirOf, localPaths } from '../lib/host/paths.js';
import { RUNTIMES, type Runtime } from '../lib/local/types.js';
import type { NotifyTargets } from '../lib/notify/targets.js';
import { loadSettings } from '../lib/settings/load.js';
import type { Verbosity } from './conventions.js';
import type { BackendOptions } from './options.js';

/** What commands need from the outside world; tests pass their own. */
export interface CommandDeps {
  /** The back end for the parsed options. */
  readonly backend: (options: BackendOptions & { readonly rehearse?: boolean }) => Backend;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (live progress line). */
  readonly stderrIsTTY: boolean;
  /** `--verbose`: progress names every task's start and end, also on a terminal. */
  readonly verbose?: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Where a local run's end is announced (settings `notify_webhook`, `notify_slack_webhook`); none when absent. */
  readonly notifyTargets?: () => Promise<NotifyTargets>;
}

/** The options that reach AWS. */
export interface CloudTarget {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly stackPrefix?: string | undefined;
}

/** What cloud-only commands need from the outside world; tests pass their own. */
export interface CloudCommandDeps {
  /** The AWS session. The real one loads the AWS SDK when first asked for; tests may return one at once. */
  readonly session: (options: CloudTarget) => CloudSession | Promise<CloudSession>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Local settings from flags, then `EPYCLOUD_LOCAL_DIR` / `EPYCLOUD_RUNTIME`, then defaults. */
export function localSettings(
  options: BackendOptions,
  env: NodeJS.ProcessEnv,
): { localDir: string; runtime: Runtime } {
  const runtime = options.runtime ?? env.EPYCLOUD_RUNTIME ?? 'docker';
  if (!(RUNTIMES as readonly string[]).includes(runtime)) {
    throw new ValidationError(
      `EPYCLOUD_RUNTIME="${runtime}" is invalid: expected one of ${RUNTIMES.join(', ')}`,
    );
  }
  return { localDir: localDirOf(options.localDir, env), runtime: runtime as Runtime };
}

/** The command's stderr: nothing with `--quiet` (errors are printed by the entrypoint, not here). */
const stderrOf =
  (verbosity: Verbosity) =>
  (text: string): void => {
    if (verbosity !== 'quiet') process.stderr.write(text);
  };

/** Who runs this CLI and with what arguments: `user@host` and argv after `epycloud` (the run record). */
const launchedBy = (): { by: string; argv: string[] } => ({
  by: `${userInfo().username}@${hostname()}`,
  argv: process.argv.slice(2),
});

/** Asks on the terminal; without one, `--yes` is required. */
async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY)
    throw new ValidationError(`${question} Pass --yes to confirm when not on a terminal`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * A back end whose module (and what it imports: the AWS SDK, CDK, esbuild)
 * loads on its first call, so `--help` and the other back ends never load it.
 */
function lazyBackend(name: Backend['name'], load: () => Promise<Backend>): Backend {
  let loading: Promise<Backend> | undefined;
  const loaded = (): Promise<Backend> => (loading ??= load());
  return {
    name,
    runWorkflow: async (options, progress) => (await loaded()).runWorkflow(options, progress),
    runJob: async (options, progress) => (await loaded()).runJob(options, progress),
    listExperiments: async () => (await loaded()).listExperiments(),
    logs: async (query) => (await loaded()).logs(query),
    status: async (query) => (await loaded()).status(query),
  };
}

/**
 * The real dependencies, read from this process once; `signal` stops a local
 * run's stages. The ONE place that picks the back end: `--local` runs here,
 * `--rehearse` runs the synthesized state machine here, otherwise AWS. Each
 * back end's module loads only when a command calls it.
 */
export function processDeps(signal?: AbortSignal, verbosity: Verbosity = 'normal'): CommandDeps {
  const env = process.env;
  const cwd = process.cwd();
  return {
    backend: (options) => {
      if (options.local) {
        const { localDir, runtime } = localSettings(options, env);
        return lazyBackend('local', async () =>
          (await import('../lib/local/backend.js')).createLocalBackend({
            paths: localPaths(localDir, cwd),
            runtime,
            hostEnv: env,
            user: { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 },
            experiments: localExperiments,
            signal,
            launchedBy: launchedBy(),
          }),
        );
      }
      const paths = localPaths(localDirOf(options.localDir, env), cwd);
      if (options.rehearse)
        return lazyBackend('rehearsal', async () =>
          (await import('../lib/rehearsal/backend.js')).createRehearsalBackend({
            paths,
            experiments: localExperiments,
            hostEnv: env,
          }),
        );
      return lazyBackend('cloud', async () =>
        (await import('../lib/cloud/backend.js')).createCloudBackend({
          target: { region: options.region, profile: options.profile },
          stackPrefix: options.stackPrefix ?? env.EPYCLOUD_STACK_PREFIX,
          paths,
          experiments: localExperiments,
          confirm: confirmOnTerminal,
          launchedBy: launchedBy(),
        }),
      );
    },
    stdout: (text) => process.stdout.write(text),
    stderr: stderrOf(verbosity),
    stderrIsTTY: process.stderr.isTTY === true,
    verbose: verbosity === 'verbose',
    env,
    cwd,
    notifyTargets: async () => {
      const { values } = await loadSettings({ env, cwd });
      return { webhook: values.notify_webhook, slackWebhook: values.notify_slack_webhook };
    },
  };
}

/** The real dependencies of cloud-only commands, read from this process once; the AWS SDK loads with the first session. */
export function processCloudDeps(verbosity: Verbosity = 'normal'): CloudCommandDeps {
  const env = process.env;
  return {
    session: async (o) =>
      (await import('../lib/cloud/session.js')).cloudSession(
        { region: o.region, profile: o.profile },
        o.stackPrefix ?? env.EPYCLOUD_STACK_PREFIX,
      ),
    stdout: (text) => process.stdout.write(text),
    stderr: stderrOf(verbosity),
    env,
    cwd: process.cwd(),
  };
}
