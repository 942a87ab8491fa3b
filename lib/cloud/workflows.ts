import { TerminateJobCommand } from '@aws-sdk/client-batch';
import {
  DescribeExecutionCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { utcStamp } from '../contract/ids.js';
import { ValidationError } from '../errors.js';
import { ACTIVE_JOB_STATUSES, describeJobs, listQueueJobIds } from './batch.js';
import { JOB_TAG_KEYS } from '../contract/batch-job.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';
import {
  describeExecution,
  executionImage,
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

/** The execution input with its image override replaced by the pinned image (`imageUri`, no `imageTag`). */
function pinnedInput(input: string, imageUri: string): string {
  const { imageTag: _tag, ...rest } = JSON.parse(input) as Record<string, unknown>;
  return JSON.stringify({ ...rest, imageUri });
}

/** Statuses a run can be retried from. */
const RETRYABLE = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** The name of a retry: the run's execution name (shortened to fit 80 characters) and the UTC second it starts. */
export function retryExecutionName(name: string, at: Date): string {
  const suffix = `-retry-${utcStamp(at)}`;
  return `${name.replace(/-retry-\d{8}-\d{6}$/, '').slice(0, 80 - suffix.length)}${suffix}`;
}

/**
 * Retries a failed, timed-out or aborted run: a new execution of the same
 * input (same run id, same prefix). Stage A finds its identical build and
 * writes nothing; PlanStageB plans Stage B over the tasks without a result
 * only (a task map), so 3 failed tasks of 10,000 rerun as an array of 3;
 * then Stage C. (A redrive would resubmit the whole failed array job.)
 */
export async function retryExecution(
  clients: AwsClients,
  deployment: Deployment,
  nameOrArn: string,
  now: () => Date = () => new Date(),
): Promise<ExecutionInfo> {
  const arn = toExecutionArn(deployment.stateMachineArn, nameOrArn);
  const execution = await describeExecution(clients.sfn, arn);
  if (!RETRYABLE.includes(execution.status)) {
    throw new ValidationError(
      `Execution ${execution.name} is ${execution.status}: only a failed, timed-out or aborted run can be retried`,
    );
  }
  const { input } = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  const name = retryExecutionName(execution.name, now());
  // the retry runs the build the run started with: its pinned image, not whatever the tag names now
  const image = await executionImage(clients.sfn, arn);
  const started = await clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: deployment.stateMachineArn,
      name,
      input: image ? pinnedInput(input ?? '{}', image.uri) : input,
    }),
  );
  return describeExecution(
    clients.sfn,
    started.executionArn ?? toExecutionArn(deployment.stateMachineArn, name),
  );
}
