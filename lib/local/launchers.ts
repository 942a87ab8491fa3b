import { join } from 'node:path';
import { ENV } from '../contract/env.js';
import type { ComposeCommand, ComposeProject } from './compose.js';
import { composeRunArgs } from './compose.js';
import { spawnToLog } from './exec.js';
import type { LaunchResult, LocalPaths, StageLaunch, StageLauncher } from './types.js';

/** Contract variables a caller's environment may pass through to stages: fault injection only. */
const PASS_THROUGH: ReadonlySet<string> = new Set([ENV.faultTasks, ENV.faultAttempts]);

/**
 * The caller's environment without stage-contract variables (a stray
 * `TASK_INDEX_OFFSET` in a shell must never shift a task), except the
 * fault-injection ones tests set on purpose.
 */
export function hostEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const contract = new Set<string>(Object.values(ENV));
  return Object.fromEntries(Object.entries(env).filter(([name]) => !contract.has(name) || PASS_THROUGH.has(name)));
}

function header(launch: StageLaunch, runtime: string): string {
  const index = launch.env[ENV.taskIndex];
  const what = index === undefined ? launch.stage : `${launch.stage} task ${index}`;
  return `=== epycloud: ${what} (${runtime} runtime) started ${new Date().toISOString()} ===`;
}

/** Options of {@link processLauncher}. */
export interface ProcessLauncherOptions {
  readonly paths: LocalPaths;
  /** The caller's environment (PATH and the like); contract variables are dropped. */
  readonly hostEnv: NodeJS.ProcessEnv;
  /** The stage bundle to run (`bundleStage`); default the sources through tsx. */
  readonly bundle?: string;
}

/**
 * Runs a stage as a host process: `node <bundle> <stage>` (what the images
 * run), or `node --import tsx pipeline-scripts/main.ts <stage>` without a
 * bundle. No Docker needed.
 */
export function processLauncher(options: ProcessLauncherOptions): StageLauncher {
  const entry =
    options.bundle === undefined
      ? ['--import', import.meta.resolve('tsx'), join(options.paths.projectRoot, 'pipeline-scripts', 'main.ts')]
      : [options.bundle];
  const base = hostEnvironment(options.hostEnv);
  return {
    runtime: 'process',
    launch: (launch): Promise<LaunchResult> =>
      spawnToLog(process.execPath, [...entry, launch.stage], {
        env: { ...base, ...launch.env },
        cwd: options.paths.projectRoot,
        logFile: launch.logFile,
        header: header(launch, 'process'),
        onLine: launch.onLine,
      }),
  };
}

/** Options of {@link dockerLauncher}. */
export interface DockerLauncherOptions {
  readonly paths: LocalPaths;
  readonly hostEnv: NodeJS.ProcessEnv;
  readonly compose: ComposeCommand;
  /** The local image, e.g. `epycloud:local`. */
  readonly image: string;
  /** User the containers run as, so files in the bucket belong to the caller. */
  readonly user: { readonly uid: number; readonly gid: number };
}

/** Variables docker/compose.yaml reads for its own settings (not the stage contract). */
export const COMPOSE_SETTINGS = {
  image: 'EPYCLOUD_IMAGE',
  localDir: 'EPYCLOUD_LOCAL_DIR',
  uid: 'EPYCLOUD_UID',
  gid: 'EPYCLOUD_GID',
} as const;

/**
 * Runs a stage as `docker compose run --rm -T <stage>` (v2) or
 * `docker-compose run ...` (v1): the service gets the stage-contract variables
 * from Compose's environment, the local folder mounted at `/local` (so the
 * bucket is the image's `LOCAL_BUCKET_DIR=/local/bucket`), and no network.
 */
export function dockerLauncher(options: DockerLauncherOptions): StageLauncher {
  const project: ComposeProject = { file: join(options.paths.projectRoot, 'docker', 'compose.yaml'), name: 'epycloud' };
  const settings = {
    [COMPOSE_SETTINGS.image]: options.image,
    [COMPOSE_SETTINGS.localDir]: options.paths.localDir,
    [COMPOSE_SETTINGS.uid]: String(options.user.uid),
    [COMPOSE_SETTINGS.gid]: String(options.user.gid),
  };
  const base = hostEnvironment(options.hostEnv);
  return {
    runtime: 'docker',
    launch: (launch): Promise<LaunchResult> =>
      spawnToLog(options.compose.file, composeRunArgs(options.compose, project, launch.stage), {
        env: { ...base, ...launch.env, ...settings },
        cwd: options.paths.projectRoot,
        logFile: launch.logFile,
        header: header(launch, `docker, compose ${options.compose.version}`),
        onLine: launch.onLine,
      }),
  };
}
