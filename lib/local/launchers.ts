import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sha256 } from '../run/checksum.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ENV, STDIN_LIFELINE } from '../contract/env.js';
import type { ComposeCommand, ComposeProject } from './compose.js';
import { composeRunArgs } from './compose.js';
import { imageId } from '../host/docker.js';
import { spawnToLog, type Exec } from '../host/exec.js';
import { slotPool } from './slot-pool.js';
import type { StageLaunch, StageLauncher, StageSession } from './types.js';
import type { LaunchResult } from '../host/exec.js';
import type { LocalPaths } from '../host/paths.js';
import { RunLayout, type StageName } from '../contract/layout.js';
import type { StageCode } from '../run/run-record.js';
import { stageEntryArgs } from '../host/stage-entry.js';

/** Contract variables a caller's environment may pass through to stages: fault injection only. */
const PASS_THROUGH: ReadonlySet<string> = new Set([ENV.faultTasks, ENV.faultAttempts]);

/**
 * The caller's environment without stage-contract variables (a stray
 * `TASK_INDEX_OFFSET` in a shell must never shift a task), except the
 * fault-injection ones tests set on purpose.
 */
export function hostEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const contract = new Set<string>(Object.values(ENV));
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !contract.has(name) || PASS_THROUGH.has(name)),
  );
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

/** Set on every launch: the stage exits when its stdin, held open by the CLI, closes. */
const LIFELINE = { [ENV.lifeline]: STDIN_LIFELINE };

/**
 * Runs a stage as a host process: `node <bundle> <stage>` (what the images
 * run), or `node --import tsx pipeline-scripts/main.ts <stage>` without a
 * bundle. No Docker needed. The process dies with the CLI (stdin lifeline).
 */
export function processLauncher(options: ProcessLauncherOptions): StageLauncher {
  const entry = stageEntryArgs(
    options.paths.projectRoot,
    options.bundle === undefined ? 'source' : { bundlePath: options.bundle },
  );
  const base = hostEnvironment(options.hostEnv);
  const bundle = options.bundle;
  return {
    runtime: 'process',
    stageCode: async () =>
      bundle === undefined ? undefined : { kind: 'bundle', sha256: sha256(await readFile(bundle)) },
    launch: (launch): Promise<LaunchResult> =>
      spawnToLog(process.execPath, [...entry, launch.stage], {
        env: { ...base, ...launch.env, ...LIFELINE },
        cwd: options.paths.projectRoot,
        logFile: launch.logFile,
        header: header(launch, 'process'),
        onLine: launch.onLine,
        signal: launch.signal,
      }),
  };
}

/** A session of the launcher (`openSession(warm)`), or its `launch` with nothing to close. */
export function openSession(launcher: StageLauncher, warm = 0): StageSession {
  return (
    launcher.openSession?.(warm) ?? {
      launch: (launch) => launcher.launch(launch),
      close: () => Promise.resolve(),
    }
  );
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
  /** Runs `docker rm -f` on a stopped launch's container. */
  readonly exec: Exec;
}

/** Options of {@link composeLauncher}. */
export interface ComposeLauncherOptions extends DockerLauncherOptions {
  /** An experiment's own image: each stage's command (`stageImageCommand`), run by the `own-<stage>` service, which mounts only the run's folder; default the built-in image's services and commands. */
  readonly command?: (stage: StageName) => readonly string[];
}

/** The run record's stage code of a local image: its reference and its id (`sha256:...`), when Docker knows it. */
export async function imageStageCode(exec: Exec, image: string): Promise<StageCode> {
  const digest = await imageId(exec, image);
  return { kind: 'image', image, ...(digest ? { digest } : {}) };
}

/** Variables docker/compose.yaml reads for its own settings (not the stage contract). */
export const COMPOSE_SETTINGS = {
  image: 'EPYCLOUD_IMAGE',
  localDir: 'EPYCLOUD_LOCAL_DIR',
  uid: 'EPYCLOUD_UID',
  gid: 'EPYCLOUD_GID',
  /** An experiment's own image (the `own-*` services): the run's folder in the bucket, and its prefix, where it is mounted under /local/bucket. */
  runDir: 'EPYCLOUD_RUN_DIR',
  runPrefix: 'EPYCLOUD_RUN_PREFIX',
} as const;

/**
 * The Compose service of a launch and its per-launch settings: the built-in
 * image's `<stage>` service, or for an experiment's own image `own-<stage>`,
 * which mounts only the run's folder of the bucket (the image sees nothing
 * else of this machine, and cannot write outside its run's prefix).
 */
function composeService(
  launch: StageLaunch,
  ownImage: boolean,
  bucketDir: string,
): { service: string; settings: Record<string, string> } {
  if (!ownImage) return { service: launch.stage, settings: {} };
  const prefix = new RunLayout(
    launch.env[ENV.expId] ?? '',
    launch.env[ENV.runId] ?? '',
    launch.env[ENV.dirPrefix] ?? '',
  ).prefix.replace(/\/$/, '');
  return {
    service: `own-${launch.stage}`,
    settings: {
      [COMPOSE_SETTINGS.runDir]: join(bucketDir, ...prefix.split('/')),
      [COMPOSE_SETTINGS.runPrefix]: prefix,
    },
  };
}

/** A container name no other launch uses: `epycloud-runner-3-<8 hex>`. */
function containerName(launch: StageLaunch): string {
  const index = launch.env[ENV.taskIndex];
  return [
    'epycloud',
    launch.stage,
    ...(index === undefined ? [] : [index]),
    randomBytes(4).toString('hex'),
  ].join('-');
}

/**
 * What docker/compose.yaml forwards into a stage's container: the contract
 * variables of the launch, the caller's fault-injection ones and the
 * lifeline, with the bucket at its container path.
 */
export function containerEnvironment(
  launchEnv: Readonly<Record<string, string>>,
  hostEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  const contract = new Set<string>(Object.values(ENV));
  const all: NodeJS.ProcessEnv = { ...hostEnvironment(hostEnv), ...launchEnv, ...LIFELINE };
  const forwarded = Object.entries(all).filter(
    (entry): entry is [string, string] => contract.has(entry[0]) && entry[1] !== undefined,
  );
  return { ...Object.fromEntries(forwarded), [ENV.localBucketDir]: '/local/bucket' };
}

/**
 * Docker. `launch` (`run job --stage A|C`, one task by hand) goes through
 * Compose (`composeLauncher`); a session (a run's stages, Stage B tasks)
 * runs each stage or task as a fresh process in one of its long-lived slot
 * containers (`slot-pool.ts`), made like the Compose services: same image,
 * mount, user, init, environment, no network.
 */
export function dockerLauncher(options: DockerLauncherOptions): StageLauncher {
  const compose = composeLauncher(options);
  const base = hostEnvironment(options.hostEnv);
  return {
    ...compose,
    stageCode: () => imageStageCode(options.exec, options.image),
    openSession: (warm) =>
      slotPool({
        warm,
        spec: {
          image: options.image,
          localDir: options.paths.localDir,
          user: options.user,
          owner: { host: hostname(), pid: process.pid },
        },
        env: base,
        exec: options.exec,
        request: (launch) => ({
          args: ['dist/stage.mjs', launch.stage],
          env: containerEnvironment(launch.env, options.hostEnv),
        }),
        header: (launch, container) => header(launch, `docker, slot container ${container}`),
      }),
  };
}

/**
 * Runs a stage as `docker compose run --rm -T --name <name> <stage> [command...]`
 * (v2) or `docker-compose run ...` (v1): a container of `image` (the
 * built-in one, or an experiment's own with its stage's `command`), with the
 * stage-contract variables from Compose's environment, the local folder
 * mounted at `/local` (so the bucket is `LOCAL_BUCKET_DIR=/local/bucket`),
 * the caller's uid:gid, an init and no network. Compose forwards the stdin
 * lifeline into the container, so the stage exits when the CLI is gone; a
 * stopped launch also gets `docker rm -f <name>`.
 */
export function composeLauncher(options: ComposeLauncherOptions): StageLauncher {
  const project: ComposeProject = {
    file: join(options.paths.projectRoot, 'docker', 'compose.yaml'),
    name: 'epycloud',
  };
  const settings = {
    [COMPOSE_SETTINGS.image]: options.image,
    [COMPOSE_SETTINGS.localDir]: options.paths.localDir,
    [COMPOSE_SETTINGS.uid]: String(options.user.uid),
    [COMPOSE_SETTINGS.gid]: String(options.user.gid),
  };
  const base = hostEnvironment(options.hostEnv);
  return {
    runtime: 'docker',
    launch: (launch): Promise<LaunchResult> => {
      const name = containerName(launch);
      const own = composeService(launch, options.command !== undefined, options.paths.bucketDir);
      return spawnToLog(
        options.compose.file,
        composeRunArgs(
          options.compose,
          project,
          own.service,
          name,
          options.command?.(launch.stage),
        ),
        {
          env: { ...base, ...launch.env, ...settings, ...own.settings, ...LIFELINE },
          cwd: options.paths.projectRoot,
          logFile: launch.logFile,
          header: header(
            launch,
            `docker, compose ${options.compose.version}, image ${options.image}, container ${name}`,
          ),
          onLine: launch.onLine,
          signal: launch.signal,
          stop: () => options.exec('docker', ['rm', '-f', name]),
        },
      );
    },
  };
}
