import { SubmitJobCommand, type ContainerOverrides } from '@aws-sdk/client-batch';
import {
  stageContainerOverrides,
  stageJobName,
  stageJobTags,
  type BatchContainerOverrides,
  type StageJobInput,
} from '../contract/batch-job.js';
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
function stageJobArraySize(request: StageJobRequest): number | undefined {
  if (request.stage !== 'runner' || request.taskIndex !== undefined) return undefined;
  const n = request.numTasks;
  if (n === undefined)
    throw new ValidationError(
      'run job --stage B needs --task-index (one task) or --num-tasks (every task, as one array job)',
    );
  if (n < 1 || n > BATCH_ARRAY_MAX)
    throw new ValidationError(
      `--num-tasks ${n}: one array job runs 1..${BATCH_ARRAY_MAX} tasks; use run workflow for more`,
    );
  return n === 1 ? undefined : n;
}

/** The contract's input for a stage job; a single Stage B job (`numTasks` 1, no index) runs task 0. */
function stageJobInput(request: StageJobRequest, bucket: string): StageJobInput {
  const single =
    request.stage === 'runner' && request.taskIndex === undefined && request.numTasks === 1;
  const taskIndex = single ? 0 : request.taskIndex;
  return {
    stage: request.stage,
    expId: request.expId,
    runId: request.runId,
    dirPrefix: request.dirPrefix ?? '',
    bucket,
    resources: {
      ...(request.vcpus !== undefined ? { vcpus: request.vcpus } : {}),
      ...(request.memoryMiB !== undefined ? { memoryMiB: request.memoryMiB } : {}),
    },
    ...(request.numTasks !== undefined ? { numTasks: request.numTasks } : {}),
    ...(taskIndex !== undefined ? { taskIndex } : {}),
    ...(request.outputConfigFile !== undefined
      ? { outputConfigFile: request.outputConfigFile }
      : {}),
    ...(request.referenceDate !== undefined ? { referenceDate: request.referenceDate } : {}),
  };
}

/** The contract's (Step Functions, PascalCase) overrides in the SDK's spelling; no resources keeps the job definition's. */
function sdkContainerOverrides(overrides: BatchContainerOverrides): ContainerOverrides {
  const resources = overrides.ResourceRequirements.map((r) => ({ type: r.Type, value: r.Value }));
  return {
    environment: overrides.Environment.map((e) => ({ name: e.Name, value: e.Value })),
    ...(resources.length > 0 ? { resourceRequirements: resources } : {}),
  };
}

/** Submits one Batch job for a stage, named and tagged like the pipeline's jobs. */
export async function submitStageJob(
  clients: AwsClients,
  deployment: Deployment,
  request: StageJobRequest,
): Promise<StageJobSubmitted> {
  const arraySize = stageJobArraySize(request);
  const containerOverrides = sdkContainerOverrides(
    stageContainerOverrides(stageJobInput(request, deployment.bucketName)),
  );
  const { stage, expId, runId, taskIndex } = request;
  const jobName = stageJobName(
    stage,
    expId,
    runId,
    taskIndex === undefined ? undefined : { taskIndex },
  );
  const tags = stageJobTags({ stage, expId, runId });
  const response = await clients.batch.send(
    new SubmitJobCommand({
      jobName,
      jobQueue: deployment.jobQueueArn,
      jobDefinition: deployment.jobDefinitions[request.stage],
      containerOverrides,
      ...(arraySize !== undefined ? { arrayProperties: { size: arraySize } } : {}),
      tags,
      propagateTags: true,
    }),
  );
  return { jobId: response.jobId ?? '', jobName, stage: request.stage, arraySize };
}
