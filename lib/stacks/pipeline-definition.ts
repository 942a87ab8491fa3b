import { NO_TASKS_ERROR, PIPELINE_STATES as S } from '../contract/pipeline.js';

/** What the definition refers to: ARNs (CDK tokens in a stack, placeholders in tests). */
export interface PipelineDefinitionProps {
  readonly prepareFunctionArn: string;
  readonly planFunctionArn: string;
  readonly jobQueueArn: string;
}

/** Resource of Step Functions' Batch integration that waits for the job (no polling loop in the definition). */
export const BATCH_SUBMIT_JOB_SYNC = 'arn:aws:states:::batch:submitJob.sync';

/** Transient Lambda service errors worth retrying. */
const LAMBDA_RETRY_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Batch API throttling and server errors worth retrying (never a failed job: that is `States.TaskFailed`). */
export const BATCH_RETRY_ERRORS = [
  'Batch.AWSBatchException',
  'Batch.ServerException',
  'Batch.TooManyRequestsException',
];

const retry = (
  errors: string[],
  intervalSeconds: number,
  maxAttempts: number,
): Record<string, unknown>[] => [
  {
    ErrorEquals: errors,
    IntervalSeconds: intervalSeconds,
    MaxAttempts: maxAttempts,
    BackoffRate: 2,
    MaxDelaySeconds: 120,
    JitterStrategy: 'FULL',
  },
];

type Json = Record<string, unknown>;

function lambdaTask(resource: string, next: string, extra: Json): Json {
  return {
    Type: 'Task',
    Resource: resource,
    ...extra,
    Retry: retry(LAMBDA_RETRY_ERRORS, 2, 4),
    Next: next,
  };
}

/** A `submitJob.sync` task; `params` hold the job's JSONPath fields. */
function batchTask(queueArn: string, params: Json, resultSelector: Json, tail: Json): Json {
  return {
    Type: 'Task',
    Resource: BATCH_SUBMIT_JOB_SYNC,
    Parameters: { JobQueue: queueArn, PropagateTags: true, ...params },
    ResultSelector: resultSelector,
    Retry: retry(BATCH_RETRY_ERRORS, 5, 6),
    ...tail,
  };
}

function stageBStates(queueArn: string): Json {
  const first = {
    'JobName.$': '$.plan.jobs[0].jobName',
    'JobDefinition.$': '$.run.jobDefinitions.runner',
    'ContainerOverrides.$': '$.plan.jobs[0].containerOverrides',
    'Tags.$': '$.run.tags.runner',
  };
  const asList = { 'jobIds.$': 'States.Array($.JobId)' };
  const next = { ResultPath: '$.results.runner', Next: S.outputWanted };
  const part = batchTask(
    queueArn,
    {
      'JobName.$': '$.job.jobName',
      'JobDefinition.$': '$.jobDefinition',
      ArrayProperties: { 'Size.$': '$.job.size' },
      'DependsOn.$': '$.job.dependsOn',
      'ContainerOverrides.$': '$.job.containerOverrides',
      'Tags.$': '$.tags',
    },
    { 'jobId.$': '$.JobId' },
    { End: true },
  );
  return {
    [S.stageBSingle]: batchTask(queueArn, first, asList, next),
    [S.stageBArray]: batchTask(
      queueArn,
      { ...first, ArrayProperties: { 'Size.$': '$.plan.jobs[0].size' } },
      asList,
      next,
    ),
    [S.stageBSplit]: {
      Type: 'Map',
      ItemsPath: '$.plan.jobs',
      MaxConcurrencyPath: '$.plan.maxConcurrency',
      ItemSelector: {
        'job.$': '$$.Map.Item.Value',
        'jobDefinition.$': '$.run.jobDefinitions.runner',
        'tags.$': '$.run.tags.runner',
      },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: S.stageBPart,
        States: { [S.stageBPart]: part },
      },
      ResultSelector: { 'jobIds.$': '$[*].jobId' },
      ...next,
    },
  };
}

/**
 * The Amazon States Language definition of a run: PrepareRun (lambda: input
 * validation, run id, job specs) -> Stage A (`submitJob.sync`) -> PlanStageB
 * (lambda: reads the manifest) -> route on the plan (no tasks: fail; one
 * task; one array job; a Map of array jobs) -> Stage C unless skipped -> Done.
 * The common path (N <= 10,000, no cap) takes 8 state transitions.
 */
export function pipelineDefinition(props: PipelineDefinitionProps): Json {
  const choice = (kind: string, next: string): Json => ({
    Variable: '$.plan.kind',
    StringEquals: kind,
    Next: next,
  });
  return {
    Comment: 'epycloud run: Stage A (builder) -> plan -> Stage B (runner) -> Stage C (output)',
    StartAt: S.prepare,
    States: {
      [S.prepare]: lambdaTask(props.prepareFunctionArn, S.stageA, {}), // no ResultPath: the result replaces the input
      [S.stageA]: batchTask(
        props.jobQueueArn,
        {
          'JobName.$': '$.run.builder.jobName',
          'JobDefinition.$': '$.run.jobDefinitions.builder',
          'ContainerOverrides.$': '$.run.builder.containerOverrides',
          'Tags.$': '$.run.tags.builder',
        },
        { 'jobId.$': '$.JobId' },
        { ResultPath: '$.results.builder', Next: S.plan },
      ),
      [S.plan]: lambdaTask(props.planFunctionArn, S.route, {
        Parameters: { 'run.$': '$.run' },
        ResultPath: '$.plan',
      }),
      [S.route]: {
        Type: 'Choice',
        Choices: [
          choice('none', S.noTasks),
          choice('single', S.stageBSingle),
          choice('array', S.stageBArray),
          choice('split', S.stageBSplit),
        ],
      },
      [S.noTasks]: { Type: 'Fail', Error: NO_TASKS_ERROR, CausePath: '$.plan.message' },
      ...stageBStates(props.jobQueueArn),
      [S.outputWanted]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.run.skipOutput', BooleanEquals: true, Next: S.done }],
        Default: S.stageC,
      },
      [S.stageC]: batchTask(
        props.jobQueueArn,
        {
          'JobName.$': '$.plan.output.jobName',
          'JobDefinition.$': '$.run.jobDefinitions.output',
          'ContainerOverrides.$': '$.plan.output.containerOverrides',
          'Tags.$': '$.run.tags.output',
        },
        { 'jobId.$': '$.JobId' },
        { ResultPath: '$.results.output', Next: S.done },
      ),
      [S.done]: {
        Type: 'Pass',
        Parameters: {
          'expId.$': '$.run.expId',
          'runId.$': '$.run.runId',
          'prefix.$': '$.run.prefix',
          'image.$': '$.run.image',
          'numTasks.$': '$.plan.numTasks',
          'jobs.$': '$.results',
        },
        End: true,
      },
    },
  };
}
