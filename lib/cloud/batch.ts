import {
  DescribeJobsCommand,
  paginateListJobs,
  type BatchClient,
  type JobDetail,
  type JobStatus,
} from '@aws-sdk/client-batch';
import { JOB_TAG_KEYS } from '../contract/batch-job.js';
import { ENV } from '../contract/env.js';
import { parseStage, STAGES, type StageName } from '../contract/layout.js';
import type { Deployment } from './deployment.js';

/** Batch job states that are not final. */
export const ACTIVE_JOB_STATUSES = [
  'SUBMITTED',
  'PENDING',
  'RUNNABLE',
  'STARTING',
  'RUNNING',
] as const satisfies readonly JobStatus[];
/** DescribeJobs accepts at most this many ids per call. */
export const DESCRIBE_JOBS_MAX = 100;

/** Describes any number of jobs, 100 ids per call; unknown ids are simply absent. */
export async function describeJobs(
  client: BatchClient,
  jobIds: readonly string[],
): Promise<JobDetail[]> {
  const jobs: JobDetail[] = [];
  for (let i = 0; i < jobIds.length; i += DESCRIBE_JOBS_MAX) {
    const response = await client.send(
      new DescribeJobsCommand({ jobs: jobIds.slice(i, i + DESCRIBE_JOBS_MAX) }),
    );
    jobs.push(...(response.jobs ?? []));
  }
  return jobs;
}

/**
 * Ids of the queue's jobs in the given states. ListJobs without a status
 * returns only RUNNING jobs, so every state is asked for separately.
 */
export async function listQueueJobIds(
  client: BatchClient,
  jobQueue: string,
  statuses: readonly JobStatus[] = ACTIVE_JOB_STATUSES,
): Promise<string[]> {
  const ids: string[] = [];
  for (const jobStatus of statuses) {
    for await (const page of paginateListJobs({ client }, { jobQueue, jobStatus })) {
      for (const job of page.jobSummaryList ?? []) if (job.jobId !== undefined) ids.push(job.jobId);
    }
  }
  return ids;
}

const withoutRevision = (arn: string): string => arn.replace(/:\d+$/, '');

/** The stage of a pipeline job: its `stage` tag, else its job definition; undefined for other jobs. */
export function stageOfJob(job: JobDetail, deployment?: Deployment): StageName | undefined {
  const tag = job.tags?.[JOB_TAG_KEYS.stage];
  if (tag !== undefined) return parseStage(tag);
  if (deployment === undefined || job.jobDefinition === undefined) return undefined;
  return STAGES.find(
    (s) =>
      withoutRevision(deployment.jobDefinitions[s]) === withoutRevision(job.jobDefinition ?? ''),
  );
}

/** Progress of one Batch job: an array job counts its children, a single job counts as one task. */
export interface JobProgress {
  readonly jobId: string;
  readonly jobName: string;
  readonly stage: StageName | undefined;
  readonly status: string;
  readonly size: number;
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  /** First task index of the job (TASK_INDEX_OFFSET or TASK_INDEX), 0 when none. */
  readonly taskOffset: number;
  readonly statusReason: string | undefined;
}

function envValue(job: JobDetail, name: string): string | undefined {
  return job.container?.environment?.find((e) => e.name === name)?.value;
}

/** Summarises a job: an array job's counts come from `arrayProperties.statusSummary`. */
export function jobProgress(job: JobDetail, deployment?: Deployment): JobProgress {
  const summary = job.arrayProperties?.statusSummary;
  const size = job.arrayProperties?.size ?? 1;
  const single = (status: string): number => (job.status === status ? 1 : 0);
  const count = (status: string): number => (summary ? (summary[status] ?? 0) : single(status));
  const offset = envValue(job, ENV.taskIndexOffset) ?? envValue(job, ENV.taskIndex) ?? '0';
  return {
    jobId: job.jobId ?? '',
    jobName: job.jobName ?? '',
    stage: stageOfJob(job, deployment),
    status: job.status ?? 'UNKNOWN',
    size,
    done: count('SUCCEEDED'),
    failed: count('FAILED'),
    running: count('RUNNING') + count('STARTING'),
    taskOffset: Number(offset) || 0,
    statusReason: job.statusReason,
  };
}
