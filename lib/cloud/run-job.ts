import { SubmitJobCommand, type ContainerOverrides, type ResourceRequirement } from '@aws-sdk/client-batch';
import { assertNoReservedNames, JOB_TAG_KEYS, stageJobName } from '../contract/batch-job.js';
import { stageEnvironment } from '../contract/env.js';
import type { StageName } from '../contract/layout.js';
import { BATCH_ARRAY_MAX } from '../contract/stage-b-plan.js';
import { ValidationError } from '../errors.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';

/** One stage, one Stage B task, or (Stage B with `numTasks` and no index) every task as one array job. */
export interface StageJobRequest {
  readonly stage: StageName;
  readonly expId: string;
  readonly runId: string;
  readonly taskIndex?: number | undefined;
  readonly numTasks?: number | undefined;
  readonly dirPrefix?: string | undefined;
  readonly outputConfigFile?: string | undefined;
  readonly referenceDate?: string | undefined;
  readonly vcpus?: number | undefined;
  readonly memoryMiB?: number | undefined;
}

/** A submitted job. */
export interface StageJobSubmitted {
  readonly jobId: string;
  readonly jobName: string;
  readonly stage: StageName;
  /** Children of an array job; undefined for a single job. */
  readonly arraySize: number | undefined;
}

/** Array size of a Stage B job over all tasks; undefined for a single job; throws for what Batch refuses. */
export function stageJobArraySize(request: StageJobRequest): number | undefined {
  if (request.stage !== 'runner' || request.taskIndex !== undefined) return undefined;
  const n = request.numTasks;
  if (n === undefined)
    throw new ValidationError('run job --stage B needs --task-index (one task) or --num-tasks (every task, as one array job)');
  if (n < 1 || n > BATCH_ARRAY_MAX)
    throw new ValidationError(`--num-tasks ${n}: one array job runs 1..${BATCH_ARRAY_MAX} tasks; use run workflow for more`);
  return n === 1 ? undefined : n;
}

/** The container overrides of a stage job: the stage contract's variables and resources. Never an `AWS_BATCH*` name. */
export function stageJobOverrides(request: StageJobRequest, bucket: string): ContainerOverrides {
  const single = request.stage === 'runner' && request.taskIndex === undefined && request.numTasks === 1;
  const env = stageEnvironment({
    mode: 'cloud',
    expId: request.expId,
    runId: request.runId,
    bucket,
    ...(request.dirPrefix !== undefined ? { dirPrefix: request.dirPrefix } : {}),
    ...(request.numTasks !== undefined ? { numTasks: request.numTasks } : {}),
    ...(request.taskIndex !== undefined || single ? { taskIndex: request.taskIndex ?? 0 } : {}),
    ...(request.outputConfigFile !== undefined ? { outputConfigFile: request.outputConfigFile } : {}),
    ...(request.referenceDate !== undefined ? { referenceDate: request.referenceDate } : {}),
  });
  assertNoReservedNames(Object.keys(env));
  const resources: ResourceRequirement[] = [];
  if (request.vcpus !== undefined) resources.push({ type: 'VCPU', value: String(request.vcpus) });
  if (request.memoryMiB !== undefined) resources.push({ type: 'MEMORY', value: String(request.memoryMiB) });
  return {
    environment: Object.entries(env).map(([name, value]) => ({ name, value })),
    ...(resources.length > 0 ? { resourceRequirements: resources } : {}),
  };
}

/** Submits one Batch job for a stage, named and tagged like the pipeline's jobs. */
export async function submitStageJob(clients: AwsClients, deployment: Deployment, request: StageJobRequest): Promise<StageJobSubmitted> {
  const arraySize = stageJobArraySize(request);
  const containerOverrides = stageJobOverrides(request, deployment.bucketName);
  const runPart = request.taskIndex === undefined ? request.runId : `${request.runId}-task${request.taskIndex}`;
  const jobName = stageJobName(request.stage, request.expId, runPart);
  const response = await clients.batch.send(
    new SubmitJobCommand({
      jobName,
      jobQueue: deployment.jobQueueArn,
      jobDefinition: deployment.jobDefinitions[request.stage],
      containerOverrides,
      ...(arraySize !== undefined ? { arrayProperties: { size: arraySize } } : {}),
      tags: { [JOB_TAG_KEYS.expId]: request.expId, [JOB_TAG_KEYS.runId]: request.runId, [JOB_TAG_KEYS.stage]: request.stage },
      propagateTags: true,
    }),
  );
  return { jobId: response.jobId ?? '', jobName, stage: request.stage, arraySize };
}
