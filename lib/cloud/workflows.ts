import { TerminateJobCommand } from '@aws-sdk/client-batch';
import { RedriveExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { ValidationError } from '../errors.js';
import { ACTIVE_JOB_STATUSES, describeJobs, listQueueJobIds } from './batch.js';
import { JOB_TAG_KEYS } from '../contract/batch-job.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';
import {
  describeExecution,
  executionJobIds,
  toExecutionArn,
  type ExecutionInfo,
} from './executions.js';

/** What `workflow cancel` did. */
export interface CancelResult {
  readonly execution: ExecutionInfo;
  readonly stopped: boolean;
  readonly terminatedJobIds: readonly string[];
}

const ACTIVE = new Set<string>(ACTIVE_JOB_STATUSES);

/**
 * Active Batch jobs of a run: those its execution submitted, plus any queued
 * job tagged with its run id (a belt-and-braces sweep after the `.sync`
 * integration's own termination).
 */
async function activeRunJobIds(
  clients: AwsClients,
  deployment: Deployment,
  execution: ExecutionInfo,
): Promise<string[]> {
  const fromHistory = await executionJobIds(clients.sfn, execution.arn);
  const queued = await listQueueJobIds(clients.batch, deployment.jobQueueArn, ACTIVE_JOB_STATUSES);
  const jobs = await describeJobs(clients.batch, [...new Set([...fromHistory, ...queued])]);
  const ofRun = (tags: Record<string, string> | undefined): boolean =>
    execution.runId !== undefined &&
    tags?.[JOB_TAG_KEYS.runId] === execution.runId &&
    (execution.expId === undefined || tags[JOB_TAG_KEYS.expId] === execution.expId);
  return jobs
    .filter(
      (j) => ACTIVE.has(j.status ?? '') && (fromHistory.includes(j.jobId ?? '') || ofRun(j.tags)),
    )
    .map((j) => j.jobId ?? '')
    .filter((id) => id !== '');
}

/** Stops the execution (when running) and terminates the run's Batch jobs that are still active. */
export async function cancelExecution(
  clients: AwsClients,
  deployment: Deployment,
  nameOrArn: string,
): Promise<CancelResult> {
  const arn = toExecutionArn(deployment.stateMachineArn, nameOrArn);
  const execution = await describeExecution(clients.sfn, arn);
  const stopped = execution.status === 'RUNNING';
  if (stopped) {
    await clients.sfn.send(
      new StopExecutionCommand({
        executionArn: arn,
        error: 'Cancelled',
        cause: 'Cancelled with epycloud workflow cancel',
      }),
    );
  }
  const terminatedJobIds = await activeRunJobIds(clients, deployment, execution);
  for (const jobId of terminatedJobIds) {
    await clients.batch.send(
      new TerminateJobCommand({
        jobId,
        reason: `Cancelled with epycloud workflow cancel (${execution.name})`,
      }),
    );
  }
  return { execution, stopped, terminatedJobIds };
}

/** Redrives a failed, timed-out or aborted execution from where it failed; the run id and written results are kept. */
export async function retryExecution(
  clients: AwsClients,
  deployment: Deployment,
  nameOrArn: string,
): Promise<ExecutionInfo> {
  const arn = toExecutionArn(deployment.stateMachineArn, nameOrArn);
  const execution = await describeExecution(clients.sfn, arn);
  try {
    await clients.sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionNotRedrivable') {
      throw new ValidationError(
        `Execution ${execution.name} (${execution.status}) cannot be redriven: ${(error as Error).message}. Only failed, timed-out or aborted executions of the last 14 days can`,
      );
    }
    throw error;
  }
  return describeExecution(clients.sfn, arn);
}
