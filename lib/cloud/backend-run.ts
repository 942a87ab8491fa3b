import { join } from 'node:path';
import type { ProgressSink, WorkflowOptions, WorkflowResult } from '../backend/types.js';
import { ENV } from '../contract/env.js';
import { ValidationError } from '../errors.js';
import type { CloudBackendConfig, CloudWorkflowExtras } from './backend.js';
import { progressLine, waitForRun, type RunProgress } from './progress.js';
import type { CloudSession } from './session.js';
import { startCloudRun } from './start-run.js';

/** The fault-injection variables of the caller's environment (tests set them on purpose). */
function faultInjectionEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries([ENV.faultTasks, ENV.faultAttempts].flatMap((name) => (env[name] ? [[name, env[name] as string]] : [])));
}

export function startedResult(expId: string, runId: string, numTasks: number, extra: Partial<WorkflowResult>): WorkflowResult {
  return {
    status: 'started',
    backend: 'cloud',
    runtime: 'aws-batch',
    expId,
    runId,
    numTasks,
    durationsMs: {},
    totalMs: 0,
    failedTasks: [],
    retriedTasks: [],
    ...extra,
  };
}

/** Local-only options a cloud run cannot honour, with what to use instead. */
function refuseLocalOnly(options: WorkflowOptions): void {
  if (options.resume !== undefined) {
    throw new ValidationError(
      `--resume is for local runs: redrive a failed cloud run with \`epycloud workflow retry <execution>\` (it keeps run ${options.resume}'s results)`,
    );
  }
}

/**
 * `run workflow` on AWS: validate and upload the experiment, start the
 * execution (after confirmation), and with `wait` follow it to the end.
 */
export async function startWorkflow(
  config: CloudBackendConfig,
  session: CloudSession,
  options: WorkflowOptions & CloudWorkflowExtras,
  progress: ProgressSink,
): Promise<WorkflowResult> {
  refuseLocalOnly(options);
  const started = Date.now();
  const d = await session.deployment();
  const question = (p: { runId: string; expId: string; numTasks: number }): string =>
    `Start cloud run ${p.runId} of ${p.expId} (${p.numTasks} task(s)) on ${d.stateMachineArn}?`;
  const run = await startCloudRun(
    session.clients,
    d,
    config.experiments,
    { ...options, experimentDir: join(config.paths.experimentsDir, options.expId) },
    async (plan) => options.yes === true || config.confirm(question(plan)),
  );
  const base = startedResult(run.expId, run.runId, run.numTasks, {
    outputs: run.runPrefix,
    logs: run.consoleUrl,
    ...(run.plan ? { plan: run.plan } : {}),
  });
  if (run.dryRun) return { ...base, status: 'planned' };
  progress({ type: 'note', message: `Started ${run.executionName}: ${run.consoleUrl}` });
  if (!options.wait) return { ...base, totalMs: Date.now() - started };
  const onProgress = (p: RunProgress): void => progress({ type: 'note', message: progressLine(p, run.numTasks) });
  const failure = await waitForRun(session.clients, d, run.executionArn, {
    onProgress,
    ...(config.pollMs ? { intervalMs: config.pollMs } : {}),
  }).then(
    () => undefined,
    (error: Error) => error.message,
  );
  return { ...base, status: failure ? 'failed' : 'succeeded', totalMs: Date.now() - started, ...(failure ? { failure } : {}) };
}

/** `run workflow --rehearse`: the synthesized state machine, executed here against a local S3 server. */
export async function rehearseWorkflow(
  config: CloudBackendConfig,
  options: WorkflowOptions & CloudWorkflowExtras,
  progress: ProgressSink,
): Promise<WorkflowResult> {
  refuseLocalOnly(options);
  const [{ runRehearsal }, { rehearsalWorkflowResult }] = await Promise.all([
    import('../rehearsal/index.js'),
    import('../rehearsal/result.js'),
  ]);
  progress({ type: 'note', message: 'Rehearsal: synthesizing the CDK app and running its state machine here, against a local S3 server' });
  const result = await runRehearsal(
    { ...options, experimentDir: join(config.paths.experimentsDir, options.expId) },
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
