import { join } from 'node:path';
import type { ProgressSink, WorkflowOptions, WorkflowResult } from '../backend/types.js';
import { workflowResult } from '../backend/result.js';
import { ValidationError } from '../errors.js';
import type { CloudBackendConfig, CloudWorkflowExtras } from './backend-options.js';
import { progressLine, waitForRun } from './progress.js';
import { type RunProgress } from './run-progress.js';
import { bucketStorage, type CloudSession } from './session.js';
import { startCloudRun, type CloudRunStarted } from './start-run.js';
import { recordCloudRunEnd } from '../run/launch-record.js';
import { RunLayout } from '../contract/layout.js';
import { exec } from '../host/exec.js';
import { gitState } from '../host/git-state.js';

/** A cloud run that was started (Batch does the rest). */
export function startedResult(
  expId: string,
  runId: string,
  numTasks: number,
  extra: Partial<WorkflowResult>,
): WorkflowResult {
  return workflowResult({
    status: 'started',
    backend: 'cloud',
    runtime: 'aws-batch',
    expId,
    runId,
    numTasks,
    ...extra,
  });
}

/** Local-only options a cloud run cannot honour, with what to use instead. */
function refuseLocalOnly(options: WorkflowOptions): void {
  if (options.resume !== undefined) {
    throw new ValidationError(
      `--resume is for local runs: retry a failed cloud run with \`epycloud workflow retry <execution>\` (it keeps run ${options.resume}'s results)`,
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
  const question = (p: CloudRunStarted): string => {
    const what = p.image === undefined ? `${p.numTasks} task(s)` : `stages in image ${p.image}`;
    return `Start cloud run ${p.runId} of ${p.expId} (${what}) on ${d.stateMachineArn}?`;
  };
  const experimentDir = join(config.paths.experimentsDir, options.expId);
  const launch = {
    kind: 'start' as const,
    at: new Date().toISOString(),
    by: config.launchedBy?.by ?? 'unknown',
    ...(config.launchedBy ? { argv: [...config.launchedBy.argv] } : {}),
  };
  const git = await gitState(config.exec ?? exec, experimentDir);
  const run = await startCloudRun(
    session.clients,
    d,
    config.experiments,
    { ...options, experimentDir, launch, git },
    async (plan) => options.yes === true || config.confirm(question(plan)),
  );
  const base = startedResult(run.expId, run.runId, run.numTasks, {
    outputs: run.runPrefix,
    logs: run.consoleUrl,
    ...(run.plan ? { plan: run.plan } : {}),
    ...(run.image ? { image: run.image } : {}),
  });
  if (run.dryRun) return { ...base, status: 'planned' };
  progress({ type: 'note', message: `Started ${run.executionName}: ${run.consoleUrl}` });
  if (!options.wait) return { ...base, totalMs: Date.now() - started };
  const onProgress = (p: RunProgress): void =>
    progress({ type: 'note', message: progressLine(p, run.numTasks) });
  const failure = await waitForRun(session.clients, d, run.executionArn, {
    onProgress,
    ...(config.pollMs ? { intervalMs: config.pollMs } : {}),
  }).then(
    () => undefined,
    (error: Error) => error.message,
  );
  const storage = bucketStorage(session.clients, d);
  await recordCloudRunEnd(storage, new RunLayout(run.expId, run.runId, run.input.dirPrefix), {
    at: new Date().toISOString(),
    failure,
  }).catch(() => undefined);
  return {
    ...base,
    status: failure ? 'failed' : 'succeeded',
    totalMs: Date.now() - started,
    ...(failure ? { failure } : {}),
  };
}
