import { EnvironmentError } from '../errors.js';
import { bundleStage } from './bundle.js';
import { detectCompose } from './compose.js';
import { requireEngine, requireImage } from './engine.js';
import type { Exec } from './exec.js';
import { IMAGES } from './images.js';
import { dockerLauncher, processLauncher } from './launchers.js';
import type { LocalPaths, Runtime, StageLauncher } from './types.js';

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
    return processLauncher({ paths: config.paths, hostEnv: config.hostEnv, bundle: await bundleStage(config.paths.projectRoot) });
  }
  await requireEngine(config.exec);
  await requireImage(config.exec, IMAGES.local);
  const compose = await detectCompose(config.exec);
  return dockerLauncher({ paths: config.paths, hostEnv: config.hostEnv, compose, image: IMAGES.local, user: config.user });
}

/** A launcher for plans (`--dry-run`): names the runtime, refuses to start anything. */
export function planningLauncher(runtime: Runtime): StageLauncher {
  return {
    runtime,
    launch: () => Promise.reject(new EnvironmentError('Internal: a dry run tried to start a stage')),
  };
}
