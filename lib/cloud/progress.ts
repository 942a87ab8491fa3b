import { STAGES, type StageName } from '../contract/layout.js';
import { calibrationPhrase } from '../contract/calibration-progress.js';
import { StageError } from '../errors.js';
import { describeJobs, jobProgress, type JobProgress } from './batch.js';
import { withCalibration } from './calibration-progress.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';
import type { RunProgress, StageProgress } from './run-progress.js';
import { describeExecution, executionJobIds } from './executions.js';

/** Adds up the jobs of each stage. */
function stageCounts(jobs: readonly JobProgress[]): Record<StageName, StageProgress> {
  const counts = {} as Record<StageName, StageProgress>;
  for (const stage of STAGES) {
    const mine = jobs.filter((j) => j.stage === stage);
    counts[stage] = {
      total: mine.reduce((n, j) => n + j.size, 0),
      done: mine.reduce((n, j) => n + j.done, 0),
      failed: mine.reduce((n, j) => n + j.failed, 0),
      running: mine.reduce((n, j) => n + j.running, 0),
    };
  }
  return counts;
}

/** Reads the execution and the Batch jobs it submitted (from its history). */
export async function runProgress(
  clients: AwsClients,
  deployment: Deployment,
  arn: string,
): Promise<RunProgress> {
  const execution = await describeExecution(clients.sfn, arn);
  const ids = await executionJobIds(clients.sfn, arn);
  const jobs = (await describeJobs(clients.batch, ids)).map((j) => jobProgress(j, deployment));
  return { execution, jobs, stages: stageCounts(jobs) };
}

/**
 * One progress line: `RUNNING  A 1/1  B 12 done, 1 failed, 2 running of 40  C 0/1`, with
 * `· calibrating 2 tasks: gen 4/8 (mean), 300/300 particles (mean)` in B while forecast tasks calibrate.
 */
export function progressLine(progress: RunProgress, numTasks?: number): string {
  const { builder, runner, output } = progress.stages;
  const total = numTasks ?? runner.total;
  const calibration =
    progress.calibration &&
    calibrationPhrase(progress.calibration.progress, progress.calibration.tasks);
  return [
    progress.execution.status.padEnd(9),
    `A ${builder.done}/${builder.total || 1}`,
    `B ${runner.done} done, ${runner.failed} failed, ${runner.running} running of ${total}${calibration ? ` · ${calibration}` : ''}`,
    `C ${output.done}/${output.total}`,
  ].join('  ');
}

/** Options of {@link waitForRun}. */
export interface WaitOptions {
  readonly intervalMs?: number;
  readonly onProgress?: (progress: RunProgress) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Polls until the execution ends, with the calibration of Stage B's running tasks at each poll;
 * returns its final progress, or throws StageError when it did not succeed.
 */
export async function waitForRun(
  clients: AwsClients,
  deployment: Deployment,
  arn: string,
  options: WaitOptions = {},
): Promise<RunProgress> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (;;) {
    const progress = await withCalibration(
      clients,
      deployment,
      await runProgress(clients, deployment, arn),
    );
    options.onProgress?.(progress);
    const { status, error, cause } = progress.execution;
    if (status === 'SUCCEEDED') return progress;
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
      throw new StageError(
        `Execution ${progress.execution.name} ended ${status}${error ? `: ${error}` : ''}${cause ? ` (${cause})` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? 15_000);
  }
}
