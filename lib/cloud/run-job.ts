import { SubmitJobCommand, type ContainerOverrides, type ResourceRequirement } from '@aws-sdk/client-batch';
import { stageEnvironment } from '../contract/env.js';
import type { StageName } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import { assertNoReservedEnv, JOB_TAGS } from './batch.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';
import { batchJobName } from './names.js';

/** One stage (or one task of Stage B) as a single Batch job. */
export interface StageJobRequest {
  readonly stage: StageName;
  readonly expId: string;
  readonly runId: string;
  readonly taskIndex?: number | undefined;
  readonly numTasks?: number | undefined;
  readonly dirPrefix?: string | undefined;
  readonly outputConfigFile?: string | undefined;
  readonly vcpus?: number | undefined;
  readonly memoryMiB?: number | undefined;
}

/** A submitted job. */
export interface StageJobSubmitted {
  readonly jobId: string;
  readonly jobName: string;
  readonly stage: StageName;
}

/** The container overrides of a stage job: the stage contract's variables and resources. Never an `AWS_BATCH*` name. */
export function stageJobOverrides(request: StageJobRequest, bucket: string): ContainerOverrides {
  if (request.stage === 'runner' && request.taskIndex === undefined) {
    throw new ValidationError('run job --stage B needs --task-index: a Stage B job runs exactly one task');
  }
  const env = stageEnvironment({
    mode: 'cloud',
    expId: request.expId,
    runId: request.runId,
    bucket,
    ...(request.dirPrefix !== undefined ? { dirPrefix: request.dirPrefix } : {}),
    ...(request.numTasks !== undefined ? { numTasks: request.numTasks } : {}),
    ...(request.taskIndex !== undefined ? { taskIndex: request.taskIndex } : {}),
    ...(request.outputConfigFile !== undefined ? { outputConfigFile: request.outputConfigFile } : {}),
  });
  assertNoReservedEnv(Object.keys(env));
  const resources: ResourceRequirement[] = [];
  if (request.vcpus !== undefined) resources.push({ type: 'VCPU', value: String(request.vcpus) });
  if (request.memoryMiB !== undefined) resources.push({ type: 'MEMORY', value: String(request.memoryMiB) });
  return {
    environment: Object.entries(env).map(([name, value]) => ({ name, value })),
    ...(resources.length > 0 ? { resourceRequirements: resources } : {}),
  };
}

/** Submits one Batch job for a stage, tagged with the run. */
export async function submitStageJob(clients: AwsClients, deployment: Deployment, request: StageJobRequest): Promise<StageJobSubmitted> {
  const jobName = batchJobName([
    request.expId,
    request.runId,
    request.stage,
    ...(request.taskIndex !== undefined ? [String(request.taskIndex)] : []),
  ]);
  const response = await clients.batch.send(
    new SubmitJobCommand({
      jobName,
      jobQueue: deployment.jobQueueArn,
      jobDefinition: deployment.jobDefinitions[request.stage],
      containerOverrides: stageJobOverrides(request, deployment.bucketName),
      tags: { [JOB_TAGS.expId]: request.expId, [JOB_TAGS.runId]: request.runId, [JOB_TAGS.stage]: request.stage },
      propagateTags: true,
    }),
  );
  return { jobId: response.jobId ?? '', jobName, stage: request.stage };
}
