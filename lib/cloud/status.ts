import { describeJobs, jobProgress, listQueueJobIds, type JobProgress } from './batch.js';
import { JOB_TAG_KEYS } from '../contract/batch-job.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';
import { listExecutions } from './executions.js';
import { executionNamePrefix } from './names.js';
import { runProgress } from './progress.js';
import { type RunProgress } from './run-progress.js';

/** Active runs and the queue's other active jobs. */
export interface CloudStatus {
  readonly runs: readonly RunProgress[];
  /** Active jobs on the queue that no listed execution submitted (e.g. `run job`). */
  readonly otherJobs: readonly JobProgress[];
}

/** Running executions (optionally of one experiment) with their jobs' task counts, and the queue's other active jobs. */
export async function cloudStatus(
  clients: AwsClients,
  deployment: Deployment,
  expId?: string,
): Promise<CloudStatus> {
  const executions = await listExecutions(clients.sfn, deployment.stateMachineArn, {
    status: 'RUNNING',
    ...(expId !== undefined ? { namePrefix: executionNamePrefix(expId) } : {}),
  });
  const runs: RunProgress[] = [];
  for (const e of executions) runs.push(await runProgress(clients, deployment, e.arn));
  const known = new Set(runs.flatMap((r) => r.jobs.map((j) => j.jobId)));
  const queued = (await listQueueJobIds(clients.batch, deployment.jobQueueArn)).filter(
    (id) => !known.has(id) && !id.includes(':'),
  );
  const otherJobs = (await describeJobs(clients.batch, queued))
    .map((j) => ({ job: j, progress: jobProgress(j, deployment) }))
    .filter(({ job }) => expId === undefined || job.tags?.[JOB_TAG_KEYS.expId] === expId)
    .map(({ progress }) => progress);
  return { runs, otherJobs };
}
