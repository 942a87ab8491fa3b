import { stageImageCommand, type StageImage } from '../contract/stage-image.js';
import { EnvironmentError, ValidationError } from '../errors.js';
import { bundleStage, stageCodeHash } from '../host/bundle.js';
import { detectCompose } from './compose.js';
import { imageLabel, requireEngine, requireImage } from '../host/docker.js';
import type { Exec } from '../host/exec.js';
import { CODE_LABEL, IMAGES } from '../host/images.js';
import {
  composeLauncher,
  dockerLauncher,
  imageStageCode,
  openSession,
  processLauncher,
} from './launchers.js';
import type { Runtime, StageLauncher } from './types.js';
import type { LocalPaths } from '../host/paths.js';

/** What it takes to start stages on this machine. */
export interface RuntimeConfig {
  readonly runtime: Runtime;
  readonly paths: LocalPaths;
  readonly hostEnv: NodeJS.ProcessEnv;
  readonly exec: Exec;
  readonly user: { readonly uid: number; readonly gid: number };
}

/**
 * A ready launcher for the runtime. Process: bundles the current stage code
 * first (dist/stage.mjs, the file the images run). Docker: checks, before
 * anything is written, that an engine answers, the local image exists and
 * Compose is there, and says how to proceed when not.
 */
export async function createLauncher(config: RuntimeConfig): Promise<StageLauncher> {
  if (config.runtime === 'process') {
    return processLauncher({
      paths: config.paths,
      hostEnv: config.hostEnv,
      bundle: await bundleStage(config.paths.projectRoot),
    });
  }
  await requireEngine(config.exec);
  await requireImage(config.exec, IMAGES.local);
  await requireCurrentImage(config.exec, config.paths.projectRoot);
  const compose = await detectCompose(config.exec);
  return dockerLauncher({ ...config, compose, image: IMAGES.local });
}

/**
 * Refuses an image labelled with other stage code than this checkout bundles
 * (an image built without the label, e.g. by hand, is taken as it is).
 */
async function requireCurrentImage(exec: Exec, projectRoot: string): Promise<void> {
  const built = await imageLabel(exec, IMAGES.local, CODE_LABEL);
  if (built === undefined || built === 'unknown') return;
  const current = await stageCodeHash(projectRoot);
  if (built !== current) {
    throw new EnvironmentError(
      `Docker image ${IMAGES.local} holds other stage code than this checkout (bundle ${built.slice(0, 12)}, checkout ${current.slice(0, 12)}): ` +
        'rebuild it with: epycloud build local (or run this code as processes: --runtime process)',
    );
  }
}

/** A launcher for plans (`--dry-run`): names the runtime, refuses to start anything. */
export function planningLauncher(runtime: Runtime): StageLauncher {
  return {
    runtime,
    launch: () =>
      Promise.reject(new EnvironmentError('Internal: a dry run tried to start a stage')),
  };
}

/** A launcher made by `create` on first use: `ready()` (or the first launch) creates it. */
function deferred(runtime: Runtime, create: () => Promise<StageLauncher>): StageLauncher {
  let pending: Promise<StageLauncher> | undefined;
  const get = (): Promise<StageLauncher> => (pending ??= create());
  return {
    runtime,
    ready: async () => void (await get()),
    stageCode: async () => (await get()).stageCode?.(),
    launch: async (launch) => (await get()).launch(launch),
    openSession: (warm) => {
      const tasks = get().then((launcher) => openSession(launcher, warm));
      tasks.catch(() => undefined); // a launcher that cannot start fails each launch instead
      return {
        launch: async (launch) => (await tasks).launch(launch),
        close: async () => (await tasks.catch(() => undefined))?.close(),
      };
    },
  };
}

/**
 * The built-in engine's launcher, made on first use: `ready()` (or the first
 * launch) creates it, so a run validates its experiment before it asks Docker
 * anything.
 */
export function deferredLauncher(config: RuntimeConfig): StageLauncher {
  return deferred(config.runtime, () => createLauncher(config));
}

/**
 * The launcher of an experiment run by its own stage image (a `stages:`
 * config, docs/CONTRACT.md): each stage a `compose run` of the declared image
 * with the stage's command (`stageImageCommand`), made on first use; `ready()`
 * checks the engine, the image (never pulled) and Compose. Docker only: for
 * `--runtime process` a ValidationError at once, before anything is written.
 */
export function stageImageLauncher(config: RuntimeConfig, declared: StageImage): StageLauncher {
  if (config.runtime === 'process') {
    throw new ValidationError(
      `This experiment runs in its own stage image ${declared.image} (its "stages:" config): its stages run only as containers of that image, never as host processes. ` +
        'Run it with Docker: add --runtime docker (or set EPYCLOUD_RUNTIME=docker, or runtime: docker in the settings)',
    );
  }
  return deferred('docker', async () => {
    await requireEngine(
      config.exec,
      `  This experiment runs in its own stage image ${declared.image}: it needs Docker (--runtime process cannot run it)`,
    );
    await requireImage(
      config.exec,
      declared.image,
      `it is the stage image this experiment's "stages:" config names, and epycloud never pulls one: ` +
        `build it (docker build -t ${declared.image} <the folder of its Dockerfile>) or pull it (docker pull ${declared.image})`,
    );
    const compose = await detectCompose(config.exec);
    const launcher = composeLauncher({
      ...config,
      compose,
      image: declared.image,
      command: (stage) => stageImageCommand(declared, stage),
    });
    return { ...launcher, stageCode: () => imageStageCode(config.exec, declared.image) };
  });
}
