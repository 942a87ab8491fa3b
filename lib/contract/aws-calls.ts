import { ValidationError } from '../errors.js';
import { JOB_TAG_KEYS } from './batch-job.js';
import { RETENTION_TAG } from './retention.js';
import { RUN_DIRS } from './run-dirs.js';

/**
 * Who makes an AWS call: the roles of the deployment, and the CLI, which
 * calls with the caller's own credentials (the stacks define no CLI user,
 * group, role or policy, so those calls are listed but not simulated).
 */
export const AWS_PRINCIPALS = {
  stateMachine: "the state machine's role (Lambda and Batch .sync integrations, X-Ray, logging)",
  prepareRun: "the PrepareRun lambda's role",
  planStageB: "the PlanStageB lambda's role",
  jobRole: 'the Batch job role: the stage containers (lib/storage/s3.ts)',
  executionRole: 'the Batch execution role: image pulls and the awslogs log driver',
  scheduler: "the schedules role: EventBridge Scheduler starts the CLI's schedules with it",
  dataTrigger:
    "the data-arrival triggers' role: EventBridge rules start runs with it (only with `dataTriggers`)",
  notifyRun: "the NotifyRun lambda's role (only with `notifications`)",
  caller: "the CLI: the caller's own credentials (no CLI policy in the stacks)",
} as const;

/** A principal of {@link AWS_PRINCIPALS}. */
export type AwsPrincipal = keyof typeof AWS_PRINCIPALS;

/** What each `{placeholder}` of an {@link AwsCall} stands for; filled from the synthesized deployment. */
export const AWS_CALL_PLACEHOLDERS = {
  region: 'the deployment region',
  account: 'the deployment account',
  bucket: 'the data bucket',
  runsPrefix: "an experiment's runs, `{dirPrefix}{expId}/runs/`",
  runPrefix: 'a run prefix, `{dirPrefix}{expId}/runs/{runId}/`',
  keyInRun: 'any key under the run prefix',
  file: 'a file name in the folder',
  stamp: 'an output folder, `<UTC YYYYMMDD-HHMMSS>`',
  jobQueue: 'the job queue name',
  jobDefinition: "a stage's job definition name (`<stackPrefix>-<stage>`)",
  revision: 'a job definition revision (the deployed one, or one PrepareRun registered)',
  jobId: 'a Batch job id (an array child: `<jobId>:<index>`)',
  stateMachine: 'the state machine name',
  execution: 'an execution name',
  prepareFunction: 'the PrepareRun function name',
  planFunction: 'the PlanStageB function name',
  prepareLogGroup: "PrepareRun's log group",
  planLogGroup: "PlanStageB's log group",
  notifyLogGroup: "NotifyRun's log group",
  lambdaLogStream: 'a lambda log stream, `YYYY/MM/DD/[$LATEST]<id>`',
  jobLogGroup: "the jobs' log group",
  stage: 'a stage: builder, runner or output',
  ecsTaskId: 'the ECS task id of a job attempt',
  jobRole: 'the job role name',
  executionRole: 'the execution role name',
  repository: "the stack's image repository name",
  image:
    'the image a run runs: `--image-tag` / `imageUri`, pinned by PrepareRun to `<repository>@sha256:<digest>`',
  expId: 'an experiment id (tag value)',
  runId: 'a run id (tag value)',
  profile: 'the run profile (tag value)',
  billingProject: 'the billing project (tag value)',
  environment: 'the deployment environment name (tag value)',
  schedule: 'a schedule name (`SCHEDULE_NAME`, lib/contract/schedule.ts)',
  scheduleGroup: 'the schedule group name (stack output ScheduleGroupName)',
  schedulerRole: 'the schedules role name (stack output SchedulerRoleArn)',
  scheduleSnapshot:
    "a schedule's experiment snapshot, `{dirPrefix}{expId}/schedules/{schedule}/experiment/` (`scheduleSnapshotPrefix`)",
  notifySecret:
    'a webhook secret of `notifications`, its ARN as Secrets Manager names it (`...:secret:<name>-<6 characters>`)',
  notifyKey: 'the KMS key of the webhook secrets (`notifications.secretsKmsKeyArn`)',
} as const;

/** A placeholder name of {@link AWS_CALL_PLACEHOLDERS}. */
export type AwsCallPlaceholder = keyof typeof AWS_CALL_PLACEHOLDERS;

/** A condition context: key -> value(s), `{placeholders}` allowed. */
export type AwsCallContext = Readonly<Record<string, string | readonly string[]>>;

/** One AWS call of epycloud as IAM authorizes it. */
export interface AwsCall {
  /** Who makes it. */
  readonly principal: AwsPrincipal;
  /** The API operation (SDK command, `docker push` step or service integration) that makes it. */
  readonly api: string;
  /** Where in the code (or the definition) it is made. */
  readonly by: string;
  /** The `service:action` IAM authorizes. */
  readonly action: string;
  /** The resource ARN IAM checks, with `{placeholders}`; `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** Condition keys the request carries, with their values. */
  readonly context?: AwsCallContext;
  /** Condition keys that apply to this action and resource but that the request leaves unset. */
  readonly unset?: readonly string[];
}

const ARN = {
  batch: (resource: string) => `arn:aws:batch:{region}:{account}:${resource}`,
  lambda: (name: string) => `arn:aws:lambda:{region}:{account}:function:${name}`,
  logStream: (group: string, stream: string) =>
    `arn:aws:logs:{region}:{account}:log-group:${group}:log-stream:${stream}`,
  states: (resource: string) => `arn:aws:states:{region}:{account}:${resource}`,
  role: (name: string) => `arn:aws:iam::{account}:role/${name}`,
  schedule: 'arn:aws:scheduler:{region}:{account}:schedule/{scheduleGroup}/{schedule}',
  ecr: 'arn:aws:ecr:{region}:{account}:repository/{repository}',
  bucket: 'arn:aws:s3:::{bucket}',
  object: (key: string) => `arn:aws:s3:::{bucket}/${key}`,
  syncRule: 'arn:aws:events:{region}:{account}:rule/StepFunctionsGetEventsForBatchJobsRule',
};

const QUEUE = ARN.batch('job-queue/{jobQueue}');
const DEFINITION = ARN.batch('job-definition/{jobDefinition}');
const REVISION = ARN.batch('job-definition/{jobDefinition}:{revision}');
const JOB = ARN.batch('job/{jobId}');
const EXECUTION = ARN.states('execution:{stateMachine}:{execution}');
const STATE_MACHINE = ARN.states('stateMachine:{stateMachine}');
const JOB_LOG_STREAM = ARN.logStream('{jobLogGroup}', '{stage}/default/{ecsTaskId}');
const JOB_LOG_GROUP = 'arn:aws:logs:{region}:{account}:log-group:{jobLogGroup}';

/** `aws:RequestTag/<key>` for each tag and `aws:TagKeys`. */
function requestTags(tags: Readonly<Record<string, string>>): AwsCallContext {
  return {
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    'aws:TagKeys': Object.keys(tags),
  };
}

/** The tags of a pipeline job (`stageJobTags` with profile and billing project: PrepareRun's). */
const PIPELINE_JOB_TAGS = requestTags({
  [JOB_TAG_KEYS.expId]: '{expId}',
  [JOB_TAG_KEYS.runId]: '{runId}',
  [JOB_TAG_KEYS.stage]: '{stage}',
  [JOB_TAG_KEYS.profile]: '{profile}',
  [JOB_TAG_KEYS.billingProject]: '{billingProject}',
});

/** The tags of a CLI `run job` (`stageJobTags` without profile and billing project). */
const CLI_JOB_TAGS = requestTags({
  [JOB_TAG_KEYS.expId]: '{expId}',
  [JOB_TAG_KEYS.runId]: '{runId}',
  [JOB_TAG_KEYS.stage]: '{stage}',
});

/**
 * The tags PrepareRun copies from a deployed job definition onto the revision
 * it registers: the app's tags (`lib/stacks/epycloud-app.ts`; the test checks
 * them against the synthesized job definitions).
 */
const DEFINITION_TAGS = requestTags({
  'epycloud:billing_project': '{billingProject}',
  'epycloud:environment': '{environment}',
});

/** What S3 sees of a write tagged as an intermediate artifact. */
const INTERMEDIATE_OBJECT_TAGS: AwsCallContext = {
  [`s3:RequestObjectTag/${RETENTION_TAG.key}`]: RETENTION_TAG.intermediate,
  's3:RequestObjectTagKeys': [RETENTION_TAG.key],
};

/** Every S3 request is HTTPS (the data bucket's policy denies anything else). */
const TLS: AwsCallContext = { 'aws:SecureTransport': 'true' };

const inRun = (dir: string, rest = '{file}') => ARN.object(`{runPrefix}${dir}/${rest}`);
const listing = (prefix: string): AwsCallContext => ({ ...TLS, 's3:prefix': prefix });

const PIPELINE_DEFINITION = 'lib/stacks/pipeline-definition.ts';
const S3_DRIVER = 'lib/storage/s3.ts';

/** The state machine: its two lambdas, Batch `submitJob.sync` (with tags), X-Ray and logging. */
const STATE_MACHINE_CALLS: AwsCall[] = [
  ...(['{prepareFunction}', '{planFunction}'] as const).map((fn) => ({
    principal: 'stateMachine' as const,
    api: 'lambda:invoke',
    by: `${PIPELINE_DEFINITION} (PrepareRun, PlanStageB)`,
    action: 'lambda:InvokeFunction',
    resource: ARN.lambda(fn),
  })),
  ...[
    { action: 'batch:SubmitJob', resource: QUEUE },
    { action: 'batch:SubmitJob', resource: REVISION },
    { action: 'batch:SubmitJob', resource: JOB, unset: ['batch:ShareIdentifier'] },
    { action: 'batch:TagResource', resource: JOB },
    { action: 'batch:TagResource', resource: REVISION },
  ].map((call) => ({
    principal: 'stateMachine' as const,
    api: 'batch:submitJob.sync',
    by: `${PIPELINE_DEFINITION} (Stage A, B, C: Tags, PropagateTags)`,
    context: PIPELINE_JOB_TAGS,
    ...call,
  })),
  {
    principal: 'stateMachine',
    api: 'batch:submitJob.sync',
    by: `${PIPELINE_DEFINITION} (waits for the job)`,
    action: 'batch:DescribeJobs',
    resource: '*',
  },
  {
    principal: 'stateMachine',
    api: 'batch:submitJob.sync',
    by: `${PIPELINE_DEFINITION} (an execution stopped while its job runs)`,
    action: 'batch:TerminateJob',
    resource: JOB,
  },
  {
    principal: 'stateMachine',
    api: 'batch:submitJob.sync',
    by: `${PIPELINE_DEFINITION} (the managed rule .sync listens on)`,
    action: 'events:PutRule',
    resource: ARN.syncRule,
    context: {
      'events:ManagedBy': 'states.amazonaws.com',
      'events:source': ['aws.batch'],
      'events:detail-type': ['Batch Job State Change'],
    },
  },
  ...['events:PutTargets', 'events:DescribeRule'].map((action) => ({
    principal: 'stateMachine' as const,
    api: 'batch:submitJob.sync',
    by: `${PIPELINE_DEFINITION} (the managed rule .sync listens on)`,
    action,
    resource: ARN.syncRule,
    ...(action === 'events:PutTargets'
      ? { context: { 'events:ManagedBy': 'states.amazonaws.com' } }
      : {}),
  })),
  ...[
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
  ].map((action) => ({
    principal: 'stateMachine' as const,
    api: 'tracing',
    by: 'lib/stacks/pipeline-stack.ts (tracingEnabled)',
    action,
    resource: '*',
  })),
  ...[
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ].map((action) => ({
    principal: 'stateMachine' as const,
    api: 'logging',
    by: 'lib/stacks/pipeline-stack.ts (logs: level ALL, vended log delivery)',
    action,
    resource: '*',
  })),
];

/**
 * What Lambda itself does with a function's role: its log stream
 * (AWSLambdaBasicExecutionRole) and, for a traced function, X-Ray.
 */
function lambdaRuntimeCalls(
  principal: 'prepareRun' | 'planStageB' | 'notifyRun',
  logGroup: string,
  by: string,
  traced = true,
): AwsCall[] {
  const stream = ARN.logStream(logGroup, '{lambdaLogStream}');
  const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => [action, stream]);
  const xray = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].map((action) => [action, '*']);
  return [...logs, ...(traced ? xray : [])].map(([action = '', resource = '']) => ({
    principal,
    api: 'runtime',
    by,
    action,
    resource,
  }));
}

const pipelineLambda = (principal: string): string =>
  `lib/stacks/pipeline-stack.ts (the ${principal} function's logs and tracing)`;

const REGISTER_IMAGE = 'lambdas/prepare-run/register-image.ts';

/**
 * PrepareRun: an image override by tag is pinned to its digest (the stack's
 * repository only), then registers a revision of each stage's job definition.
 */
const PREPARE_RUN_CALLS: AwsCall[] = [
  {
    principal: 'prepareRun',
    api: 'DescribeImages',
    by: 'lambdas/prepare-run/resolve-image.ts (imageTag, or an imageUri by tag of the repository)',
    action: 'ecr:DescribeImages',
    resource: ARN.ecr,
  },
  {
    principal: 'prepareRun',
    api: 'DescribeJobDefinitions',
    by: REGISTER_IMAGE,
    action: 'batch:DescribeJobDefinitions',
    resource: '*',
  },
  {
    principal: 'prepareRun',
    api: 'RegisterJobDefinition',
    by: REGISTER_IMAGE,
    action: 'batch:RegisterJobDefinition',
    resource: DEFINITION,
    context: {
      ...DEFINITION_TAGS,
      'batch:Image': '{image}',
      'batch:LogDriver': 'awslogs',
      'batch:AWSLogsGroup': '{jobLogGroup}',
      'batch:AWSLogsRegion': '{region}',
      'batch:AWSLogsStreamPrefix': '{stage}',
    },
    unset: ['batch:AWSLogsCreateGroup', 'batch:Privileged', 'batch:User'],
  },
  {
    principal: 'prepareRun',
    api: 'RegisterJobDefinition',
    by: `${REGISTER_IMAGE} (tags: the copied job definition tags)`,
    action: 'batch:TagResource',
    resource: REVISION,
    context: DEFINITION_TAGS,
  },
  ...['{jobRole}', '{executionRole}'].map((role) => ({
    principal: 'prepareRun' as const,
    api: 'RegisterJobDefinition',
    by: `${REGISTER_IMAGE} (the revision keeps jobRoleArn and executionRoleArn)`,
    action: 'iam:PassRole',
    resource: ARN.role(role),
    context: { 'iam:PassedToService': 'batch.amazonaws.com' },
  })),
  ...lambdaRuntimeCalls('prepareRun', '{prepareLogGroup}', pipelineLambda('prepareRun')),
];

const COPY_SNAPSHOT = 'lambdas/prepare-run/scheduled.ts copyScheduleSnapshot';

/**
 * PrepareRun, for a scheduled input (`source`): lists the schedule's snapshot
 * and copies it server-side into the run's `experiment/` (the storage stack's
 * `scheduleSnapshotCopy` policy). Snapshots carry no tags, so the copies ask
 * for no tagging permission.
 */
const SCHEDULE_SNAPSHOT_COPY_CALLS: AwsCall[] = [
  {
    principal: 'prepareRun',
    api: 'ListObjectsV2',
    by: `${COPY_SNAPSHOT} -> ${S3_DRIVER} list`,
    action: 's3:ListBucket',
    resource: ARN.bucket,
    context: listing('{scheduleSnapshot}'),
  },
  {
    principal: 'prepareRun',
    api: 'CopyObject',
    by: `${COPY_SNAPSHOT} -> lambdas/prepare-run/copy-object.ts (its source)`,
    action: 's3:GetObject',
    resource: ARN.object('{scheduleSnapshot}{file}'),
    context: TLS,
  },
  {
    principal: 'prepareRun',
    api: 'CopyObject',
    by: `${COPY_SNAPSHOT} -> lambdas/prepare-run/copy-object.ts (its destination)`,
    action: 's3:PutObject',
    resource: inRun(RUN_DIRS.experiment),
    context: { ...TLS, 's3:x-amz-copy-source': '{bucket}/{scheduleSnapshot}{file}' },
  },
];

/** PlanStageB: reads the run's manifest head; on a retry lists the results and writes a task map. */
const PLAN_STAGE_B_CALLS: AwsCall[] = [
  {
    principal: 'planStageB',
    api: 'GetObject',
    by: 'lambdas/plan-stage-b/plan.ts -> lib/run/manifest.ts readManifest',
    action: 's3:GetObject',
    resource: inRun(RUN_DIRS.builder, 'manifest.json'),
    context: TLS,
  },
  {
    principal: 'planStageB',
    api: 'GetObject',
    by: 'lib/run/manifest.ts readManifest (S3 answers a missing manifest 404, not 403)',
    action: 's3:ListBucket',
    resource: ARN.bucket,
    context: TLS,
  },
  {
    principal: 'planStageB',
    api: 'ListObjectsV2',
    by: 'lambdas/plan-stage-b/plan.ts -> lib/run/task-map.ts tasksWithoutResult',
    action: 's3:ListBucket',
    resource: ARN.bucket,
    context: TLS,
  },
  {
    principal: 'planStageB',
    api: 'PutObject',
    by: 'lambdas/plan-stage-b/plan.ts -> lib/run/task-map.ts writeTaskMap (tagged intermediate)',
    action: 's3:PutObject',
    resource: inRun(RUN_DIRS.builder, 'task-maps/{file}'),
    context: TLS,
  },
  {
    principal: 'planStageB',
    api: 'PutObject',
    by: 'lib/run/task-map.ts writeTaskMap: the retention tag in the request (x-amz-tagging)',
    action: 's3:PutObjectTagging',
    resource: inRun(RUN_DIRS.builder, 'task-maps/{file}'),
    context: TLS,
  },
  ...lambdaRuntimeCalls('planStageB', '{planLogGroup}', pipelineLambda('planStageB')),
];

/** The stage containers (pipeline-scripts over lib/storage/s3.ts), all under the run prefix. */
const JOB_ROLE_CALLS: AwsCall[] = (
  [
    ['ListObjectsV2', 's3:ListBucket', ARN.bucket, listing(`{runPrefix}${RUN_DIRS.experiment}/`)],
    ['GetObject', 's3:GetObject', inRun(RUN_DIRS.experiment), TLS],
    ['HeadObject', 's3:GetObject', inRun(RUN_DIRS.builder, 'manifest.json'), TLS],
    ['HeadBucket', 's3:ListBucket', ARN.bucket, TLS],
    ['PutObject', 's3:PutObject', inRun(RUN_DIRS.builder), { ...TLS, ...INTERMEDIATE_OBJECT_TAGS }],
    [
      'PutObject',
      's3:PutObjectTagging',
      inRun(RUN_DIRS.builder),
      { ...TLS, ...INTERMEDIATE_OBJECT_TAGS },
    ],
    ['GetObject', 's3:GetObject', inRun(RUN_DIRS.builder), TLS],
    ['HeadObject', 's3:GetObject', inRun(RUN_DIRS.runner), TLS],
    ['PutObject', 's3:PutObject', inRun(RUN_DIRS.runner), { ...TLS, ...INTERMEDIATE_OBJECT_TAGS }],
    [
      'PutObject',
      's3:PutObjectTagging',
      inRun(RUN_DIRS.runner),
      { ...TLS, ...INTERMEDIATE_OBJECT_TAGS },
    ],
    ['GetObject', 's3:GetObject', inRun(RUN_DIRS.summaries), TLS],
    ['PutObject', 's3:PutObject', inRun(RUN_DIRS.summaries), TLS],
    ['PutObject', 's3:PutObject', inRun(RUN_DIRS.progress), TLS],
    ['HeadObject', 's3:GetObject', inRun(RUN_DIRS.logs, 'fault-injection/{file}'), TLS],
    ['PutObject', 's3:PutObject', inRun(RUN_DIRS.logs, 'fault-injection/{file}'), TLS],
    ['ListObjectsV2', 's3:ListBucket', ARN.bucket, listing(`{runPrefix}${RUN_DIRS.runner}/`)],
    ['ListObjectsV2', 's3:ListBucket', ARN.bucket, listing(`{runPrefix}${RUN_DIRS.outputs}/`)],
    [
      'ListObjectsV2',
      's3:ListBucket',
      ARN.bucket,
      listing(`{runPrefix}${RUN_DIRS.outputs}/{stamp}/`),
    ],
    ['Upload', 's3:PutObject', inRun(RUN_DIRS.outputs, '{stamp}/{file}'), TLS],
    ['Upload', 's3:AbortMultipartUpload', inRun(RUN_DIRS.outputs, '{stamp}/{file}'), TLS],
    ['DeleteObject', 's3:DeleteObject', inRun(RUN_DIRS.outputs, '{stamp}/{file}'), TLS],
  ] as const
).map(([api, action, resource, context]) => ({
  principal: 'jobRole' as const,
  api,
  by: `${S3_DRIVER} (pipeline-scripts)`,
  action,
  resource,
  context,
}));

/** Batch's agents with the execution role: the image pull and the awslogs driver. */
const EXECUTION_ROLE_CALLS: AwsCall[] = [
  ['ecr:GetAuthorizationToken', '*'],
  ['ecr:BatchCheckLayerAvailability', ARN.ecr],
  ['ecr:GetDownloadUrlForLayer', ARN.ecr],
  ['ecr:BatchGetImage', ARN.ecr],
  ['logs:CreateLogStream', JOB_LOG_STREAM],
  ['logs:PutLogEvents', JOB_LOG_STREAM],
].map(([action = '', resource = '']) => ({
  principal: 'executionRole' as const,
  api: action.startsWith('ecr:') ? 'image pull' : 'awslogs',
  by: 'lib/constructs/stage-job-definitions.ts (executionRole, LogDriver.awsLogs)',
  action,
  resource,
}));

/**
 * What starts runs without the CLI: EventBridge Scheduler, for the CLI's
 * schedules (lib/constructs/schedules.ts), and EventBridge, for the
 * data-arrival triggers of the config.
 */
const SCHEDULED_START_CALLS: AwsCall[] = [
  {
    principal: 'scheduler',
    api: 'StartExecution',
    by: "lib/schedule/aws-schedule.ts scheduleRequest (the schedule's target, with the schedules role)",
    action: 'states:StartExecution',
    resource: STATE_MACHINE,
  },
  {
    principal: 'dataTrigger',
    api: 'StartExecution',
    by: 'lib/constructs/schedules.ts dataTrigger (targets.SfnStateMachine)',
    action: 'states:StartExecution',
    resource: STATE_MACHINE,
  },
];

const NOTIFY = 'lambdas/notify-run/notify-execution.ts secretUrl';

/** NotifyRun: reads the webhook URLs from Secrets Manager (lib/constructs/run-notifier.ts grantSecrets). */
const NOTIFY_RUN_CALLS: AwsCall[] = [
  {
    principal: 'notifyRun',
    api: 'GetSecretValue',
    by: NOTIFY,
    action: 'secretsmanager:GetSecretValue',
    resource: '{notifySecret}',
  },
  {
    principal: 'notifyRun',
    api: 'GetSecretValue',
    by: `${NOTIFY} (Secrets Manager decrypts with the secrets' own key, when secretsKmsKeyArn names one)`,
    action: 'kms:Decrypt',
    resource: '{notifyKey}',
    context: {
      'kms:ViaService': 'secretsmanager.{region}.amazonaws.com',
      'kms:EncryptionContextKeys': ['SecretARN', 'SecretVersionId'],
    },
  },
  ...lambdaRuntimeCalls(
    'notifyRun',
    '{notifyLogGroup}',
    "lib/constructs/run-notifier.ts (the function's logs)",
    false,
  ),
];

/** A call of the CLI, with the caller's own credentials. */
const caller = (
  api: string,
  by: string,
  action: string,
  resource: string,
  context?: AwsCallContext,
): AwsCall => ({
  principal: 'caller',
  api,
  by,
  action,
  resource,
  ...(context === undefined ? {} : { context }),
});

const EXECUTIONS = 'lib/cloud/executions.ts';
const WORKFLOWS = 'lib/cloud/workflows.ts';
const RUN_JOB = 'lib/cloud/run-job.ts';
const BUILD = 'lib/cloud/build.ts';
const SCHEDULES = 'lib/schedule/cloud-store.ts';
const SCHEDULE_SNAPSHOT = ARN.object('{scheduleSnapshot}{file}');
const PASS_TO_SCHEDULER: AwsCallContext = { 'iam:PassedToService': 'scheduler.amazonaws.com' };

/** The CLI (lib/cloud), with the caller's own credentials. */
const CALLER_CALLS: AwsCall[] = [
  caller('DescribeStacks', 'lib/cloud/deployment.ts', 'cloudformation:DescribeStacks', '*'),
  caller('StartExecution', 'lib/cloud/start-run.ts', 'states:StartExecution', STATE_MACHINE),
  caller('DescribeExecution', EXECUTIONS, 'states:DescribeExecution', EXECUTION),
  caller('ListExecutions', EXECUTIONS, 'states:ListExecutions', STATE_MACHINE),
  caller('GetExecutionHistory', EXECUTIONS, 'states:GetExecutionHistory', EXECUTION),
  caller('StopExecution', WORKFLOWS, 'states:StopExecution', EXECUTION),
  caller('RedriveExecution', WORKFLOWS, 'states:RedriveExecution', EXECUTION),
  caller('SubmitJob', RUN_JOB, 'batch:SubmitJob', QUEUE, CLI_JOB_TAGS),
  caller('SubmitJob', RUN_JOB, 'batch:SubmitJob', REVISION, CLI_JOB_TAGS),
  caller('SubmitJob', RUN_JOB, 'batch:SubmitJob', JOB, CLI_JOB_TAGS),
  caller('SubmitJob', RUN_JOB, 'batch:TagResource', JOB, CLI_JOB_TAGS),
  caller('DescribeJobs', 'lib/cloud/batch.ts', 'batch:DescribeJobs', '*'),
  caller('ListJobs', 'lib/cloud/batch.ts', 'batch:ListJobs', '*'),
  caller('TerminateJob', WORKFLOWS, 'batch:TerminateJob', JOB),
  caller('GetLogEvents', 'lib/cloud/log-streams.ts', 'logs:GetLogEvents', JOB_LOG_STREAM),
  caller('FilterLogEvents', 'lib/cloud/log-streams.ts', 'logs:FilterLogEvents', JOB_LOG_GROUP),
  caller('DeleteObject', S3_DRIVER, 's3:DeleteObject', inRun(RUN_DIRS.experiment), TLS),
  caller('PutObject', S3_DRIVER, 's3:PutObject', inRun(RUN_DIRS.experiment), TLS),
  caller(
    'PutObject',
    `${S3_DRIVER} (lib/cloud/run-recording.ts: the run record)`,
    's3:PutObject',
    ARN.object('{runPrefix}run.json'),
    TLS,
  ),
  caller(
    'GetObject',
    `${S3_DRIVER} (outputs, run.json, the snapshots \`experiment diff\` compares and \`run job\` checks for an own image: lib/cloud/own-image-job.ts)`,
    's3:GetObject',
    ARN.object('{runPrefix}{keyInRun}'),
    TLS,
  ),
  caller('HeadObject', S3_DRIVER, 's3:GetObject', ARN.object('{runPrefix}{keyInRun}'), TLS),
  caller('HeadBucket', S3_DRIVER, 's3:ListBucket', ARN.bucket, TLS),
  caller('ListObjectsV2', S3_DRIVER, 's3:ListBucket', ARN.bucket, listing('{runsPrefix}')),
  caller('ListObjectsV2', S3_DRIVER, 's3:ListBucket', ARN.bucket, listing('{runPrefix}')),
  caller('ListObjectsV2', S3_DRIVER, 's3:ListBucket', ARN.bucket, listing('')),
  caller('GetAuthorizationToken', BUILD, 'ecr:GetAuthorizationToken', '*'),
  ...[
    'ecr:BatchCheckLayerAvailability',
    'ecr:InitiateLayerUpload',
    'ecr:UploadLayerPart',
    'ecr:CompleteLayerUpload',
    'ecr:PutImage',
  ].map((action) => caller('docker push', BUILD, action, ARN.ecr)),
  caller('CreateSchedule', SCHEDULES, 'scheduler:CreateSchedule', ARN.schedule),
  caller('GetSchedule', SCHEDULES, 'scheduler:GetSchedule', ARN.schedule),
  caller('UpdateSchedule', SCHEDULES, 'scheduler:UpdateSchedule', ARN.schedule),
  caller('DeleteSchedule', SCHEDULES, 'scheduler:DeleteSchedule', ARN.schedule),
  caller('ListSchedules', SCHEDULES, 'scheduler:ListSchedules', '*'),
  ...['CreateSchedule', 'UpdateSchedule'].map((api) =>
    caller(api, SCHEDULES, 'iam:PassRole', ARN.role('{schedulerRole}'), PASS_TO_SCHEDULER),
  ),
  caller('PutObject', `${SCHEDULES} uploadSnapshot`, 's3:PutObject', SCHEDULE_SNAPSHOT, TLS),
  caller(
    'DeleteObject',
    `${SCHEDULES} uploadSnapshot (the old manifest), deleteSnapshot`,
    's3:DeleteObject',
    SCHEDULE_SNAPSHOT,
    TLS,
  ),
  caller(
    'ListObjectsV2',
    `${SCHEDULES} deleteSnapshot`,
    's3:ListBucket',
    ARN.bucket,
    listing('{scheduleSnapshot}'),
  ),
];

/**
 * Every AWS call epycloud makes, by principal: the action IAM authorizes, the
 * exact resource ARN form and the condition keys of the request. The IAM
 * simulation test evaluates the synthesized policies against every row whose
 * principal is a role of the deployment.
 */
export const AWS_CALLS: readonly AwsCall[] = [
  ...STATE_MACHINE_CALLS,
  ...PREPARE_RUN_CALLS,
  ...SCHEDULE_SNAPSHOT_COPY_CALLS,
  ...PLAN_STAGE_B_CALLS,
  ...JOB_ROLE_CALLS,
  ...EXECUTION_ROLE_CALLS,
  ...SCHEDULED_START_CALLS,
  ...NOTIFY_RUN_CALLS,
  ...CALLER_CALLS,
];

/** The `{placeholders}` of a template, in order of appearance. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
}

/** Fills every `{placeholder}` of `template`; an unknown or missing one is a ValidationError. */
export function fillAwsCallTemplate(
  template: string,
  values: Readonly<Partial<Record<AwsCallPlaceholder, string>>>,
): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in AWS_CALL_PLACEHOLDERS))
      throw new ValidationError(`Unknown placeholder {${name}} in "${template}"`);
    const value = values[name as AwsCallPlaceholder];
    if (value === undefined) throw new ValidationError(`No value for {${name}} in "${template}"`);
    return value;
  });
}

/** Fills every `{placeholder}` of a condition context (keys and values). */
export function fillAwsCallContext(
  context: AwsCallContext,
  values: Readonly<Partial<Record<AwsCallPlaceholder, string>>>,
): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(context).map(([key, value]) => [
      fillAwsCallTemplate(key, values),
      typeof value === 'string'
        ? fillAwsCallTemplate(value, values)
        : value.map((v) => fillAwsCallTemplate(v, values)),
    ]),
  );
}
