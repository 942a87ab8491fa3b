import type { Backend, ProgressSink } from '../backend/types.js';
import { listLocalExperiments, readLocalLogs } from './browse.js';
import { exec as realExec, type Exec } from '../host/exec.js';
import type { ExperimentSource } from '../host/experiment-source.js';
import { runLocalJob } from './job.js';
import {
  deferredLauncher,
  planningLauncher,
  stageImageLauncher,
  type RuntimeConfig,
} from './runtime.js';
import type { LaunchedBy, LocalContext } from './stages.js';
import { localStatus } from './status.js';
import type { Runtime, StageLauncher } from './types.js';
import type { LocalPaths } from '../host/paths.js';
import { runLocalWorkflow } from './workflow.js';
import { LocalDriver, Storage } from '../storage/index.js';

/** Settings of the local back end, parsed once by the CLI. */
export interface LocalBackendConfig {
  readonly paths: LocalPaths;
  readonly runtime: Runtime;
  /** The caller's environment, for the launched programs (PATH, fault injection). */
  readonly hostEnv: NodeJS.ProcessEnv;
  readonly user: { readonly uid: number; readonly gid: number };
  readonly experiments: ExperimentSource;
  readonly exec?: Exec;
  /** Replaces the runtime's launchers, the built-in engine's and any experiment's own image's (tests). */
  readonly launcher?: StageLauncher;
  /** Aborted when the CLI must stop: running stages are stopped (see `LocalContext.signal`). */
  readonly signal?: AbortSignal;
  /** Who runs this CLI, with what arguments: the run record's launches. */
  readonly launchedBy?: LaunchedBy;
}

/**
 * The local back end: stages run on this machine, in containers (slot
 * containers of the built-in image, or Docker Compose runs of an
 * experiment's own image) or as processes, with artifacts in the local bucket
 * folder.
 */
export function createLocalBackend(config: LocalBackendConfig): Backend {
  const storage = new Storage(new LocalDriver(config.paths.bucketDir));
  const exec = config.exec ?? realExec;
  const runtime: RuntimeConfig = { ...config, exec };
  /** The test's launcher, or `make()`'s; for a plan (`--dry-run`) one that starts nothing. */
  const chosen = (make: () => StageLauncher, plan: boolean): StageLauncher => {
    if (config.launcher) return config.launcher;
    const launcher = make();
    return plan ? planningLauncher(launcher.runtime) : launcher;
  };
  const context = (progress: ProgressSink, plan = false): LocalContext => ({
    paths: config.paths,
    storage,
    experiments: config.experiments,
    progress,
    signal: config.signal,
    exec,
    ...(config.launchedBy ? { launchedBy: config.launchedBy } : {}),
    launcher: chosen(() => deferredLauncher(runtime), plan),
    imageLauncher: (declared) => chosen(() => stageImageLauncher(runtime, declared), plan),
  });
  return {
    name: 'local',
    runWorkflow: (options, progress) =>
      runLocalWorkflow(context(progress, options.dryRun), options),
    runJob: (options, progress) => runLocalJob(context(progress), options),
    listExperiments: () => listLocalExperiments(config.paths, storage),
    logs: (query) => readLocalLogs(config.paths, storage, query),
    status: () => localStatus(config.paths, storage, exec),
  };
}
