import { join } from 'node:path';
import type { Backend, ProgressSink, WorkflowOptions, WorkflowResult } from '../backend/types.js';
import { workflowResult } from '../backend/result.js';
import { ENV } from '../contract/env.js';
import { newRunId } from '../contract/ids.js';
import { ValidationError } from '../errors.js';
import { withStageImage } from '../contract/execution.js';
import { refuseProcessRuntime } from './runtime.js';
import type { ExperimentSource } from '../host/experiment-source.js';
import type { LocalPaths } from '../host/paths.js';

/** How the rehearsal back end reaches this machine. */
export interface RehearsalBackendConfig {
  readonly paths: LocalPaths;
  readonly experiments: ExperimentSource;
  /** PATH and the like, for the stage processes; fault-injection variables pass through. */
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
}

/** Options of `run workflow` the rehearsal honours beyond the common ones. */
export interface RehearsalWorkflowExtras {
  /** Containers of the cloud image, or host processes (default: containers when Docker answers). */
  readonly runtime?: 'docker' | 'process' | undefined;
}

/** The fault-injection variables of the caller's environment (tests set them on purpose). */
function faultInjectionEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  return Object.fromEntries(
    [ENV.faultTasks, ENV.faultAttempts].flatMap((name) =>
      env[name] ? [[name, env[name] as string]] : [],
    ),
  );
}

/** `run workflow --rehearse`: the synthesized state machine, executed here against a local S3 server. */
async function rehearseWorkflow(
  config: RehearsalBackendConfig,
  options: WorkflowOptions & RehearsalWorkflowExtras,
  progress: ProgressSink,
): Promise<WorkflowResult> {
  if (options.resume !== undefined) {
    throw new ValidationError(
      `--resume is for local runs: retry a failed cloud run with \`epycloud workflow retry <execution>\` (it keeps run ${options.resume}'s results)`,
    );
  }
  const experimentDir = join(config.paths.experimentsDir, options.expId);
  if (options.dryRun) {
    // plan only, as on AWS: validate with the run's overrides, synthesize and start nothing
    const overrides = {
      ...(options.outputConfigFile === undefined
        ? {}
        : { outputConfigFile: options.outputConfigFile }),
      ...(options.referenceDate === undefined ? {} : { referenceDate: options.referenceDate }),
    };
    const { numTasks, plan, stageImage } = await config.experiments.validate(
      experimentDir,
      overrides,
    );
    if (stageImage !== undefined) {
      // what the run would refuse, the plan refuses too
      withStageImage(options, stageImage);
      refuseProcessRuntime(options.expId, stageImage.image, options.runtime);
    }
    return workflowResult({
      status: 'planned',
      backend: 'cloud',
      runtime: 'rehearsal',
      expId: options.expId,
      runId: options.runId ?? newRunId(),
      numTasks: numTasks ?? 0,
      ...(plan ? { plan } : {}),
      ...(stageImage ? { image: stageImage.image } : {}),
    });
  }
  const [{ runRehearsal }, { rehearsalWorkflowResult }] = await Promise.all([
    import('./index.js'),
    import('./result.js'),
  ]);
  progress({
    type: 'note',
    message:
      'Rehearsal: synthesizing the CDK app and running its state machine here, against a local S3 server',
  });
  const result = await runRehearsal(
    { ...options, experimentDir },
    {
      projectRoot: config.paths.projectRoot,
      hostEnv: config.hostEnv,
      experiments: config.experiments,
      runtime: options.runtime,
      onNotice: (message) => progress({ type: 'note', message }),
      extraEnv: faultInjectionEnv(config.hostEnv),
      onEvent: (e) => {
        if (e.type === 'StateEntered') progress({ type: 'note', message: `state ${e.state.name}` });
      },
    },
  );
  return rehearsalWorkflowResult(result);
}

/**
 * The rehearsal back end: `run workflow` executes the synthesized state
 * machine here (Batch stood in by containers or processes, S3 by a server on
 * 127.0.0.1). It only runs workflows; the other commands say so.
 */
export function createRehearsalBackend(config: RehearsalBackendConfig): Backend {
  const only = async (): Promise<never> => {
    throw new ValidationError('--rehearse only runs `run workflow`: drop it for this command');
  };
  return {
    name: 'rehearsal',
    runWorkflow: (options, progress) => rehearseWorkflow(config, options, progress),
    runJob: only,
    listExperiments: only,
    logs: only,
    status: only,
  };
}
