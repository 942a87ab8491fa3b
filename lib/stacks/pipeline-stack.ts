import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as batch from 'aws-cdk-lib/aws-batch';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_BUCKET_VAR } from '../contract/lambda-config.js';
import { PREPARE_CONFIG_VAR, type PrepareConfig } from '../contract/lambda-config.js';
import type { DeploymentConfig } from '../config/schema.js';
import type { ScheduleConfig } from '../config/schedule-config.js';
import { STACK_OUTPUTS } from '../contract/execution.js';
import { STAGES, type StageName } from '../contract/layout.js';
import { Schedules } from '../constructs/schedules.js';
import { stageImage } from '../constructs/stage-image.js';
import { StageJobDefinitions } from '../constructs/stage-job-definitions.js';
import {
  LAMBDA_BASIC_EXECUTION,
  acknowledge,
  acknowledgeWildcardResources,
} from './nag-acknowledgements.js';
import { pipelineDefinition } from './pipeline-definition.js';

/** The outputs holding each stage's current job definition revision (the CLI's `run job`). */
const JOB_DEFINITION_OUTPUTS: Readonly<Record<StageName, string>> = {
  builder: STACK_OUTPUTS.jobDefinitionBuilder,
  runner: STACK_OUTPUTS.jobDefinitionRunner,
  output: STACK_OUTPUTS.jobDefinitionOutput,
};

/** Props of {@link PipelineStack}. */
export interface PipelineStackProps extends StackProps {
  /** The deployment; `dataTriggers` (lib/config/schedule-config.ts) adds data-arrival triggers. */
  readonly config: DeploymentConfig & Partial<ScheduleConfig>;
  readonly bucket: s3.IBucket;
  /** The queue, referred to by an ARN built from its fixed name (no cross-stack export). */
  readonly jobQueue: batch.IJobQueue;
  /** The stage containers' role, the role that pulls the image and writes logs, and the jobs' log group. */
  readonly jobRole: iam.IRole;
  readonly executionRole: iam.IRole;
  readonly jobLogGroup: logs.ILogGroup;
  /** The image repository (`image.source: repository`: the job definitions' image is a tag of it). */
  readonly repository: ecr.IRepository;
  /** Job definition names (literal): IAM scopes every revision by name. */
  readonly jobDefinitionNames: Readonly<Record<StageName, string>>;
  /** Lets PlanStageB read manifests. */
  readonly manifestRead: iam.IManagedPolicy;
  /** Lets PrepareRun copy a schedule's experiment snapshot into a scheduled run. */
  readonly scheduleSnapshotCopy: iam.IManagedPolicy;
  /** Roles the job definitions pass to containers (needed to register image-override revisions). */
  readonly jobRoles: readonly iam.IRole[];
  readonly repositoryUri: string;
  readonly projectRoot: string;
}

/** The Node major of the lambdas: the default base image of docker/Dockerfile (`node:22-...`) runs the same. */
const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** The lock the lambdas are bundled against: the installed package's npm-shrinkwrap.json, else the checkout's package-lock.json. */
function lockFile(projectRoot: string): string {
  const shrinkwrap = join(projectRoot, 'npm-shrinkwrap.json');
  return existsSync(shrinkwrap) ? shrinkwrap : join(projectRoot, 'package-lock.json');
}
/** esbuild target of the lambda bundles, matching {@link LAMBDA_RUNTIME}. */
const LAMBDA_BUNDLE_TARGET = 'node22';

/**
 * The Step Functions Standard state machine of a run, its two lambdas
 * (PrepareRun, PlanStageB) and the stage job definitions it submits to. The
 * job definitions live here, next to their only consumers (PrepareRun's
 * configuration, the outputs), so a new revision (stage size, timeout, retry
 * rules, image) changes no cross-stack export. Logging (ALL, with execution
 * data) and X-Ray tracing are on; the role is scoped in {@link PipelineStack.grantRun}.
 */
export class PipelineStack extends Stack {
  readonly stateMachine: sfn.StateMachine;
  readonly jobDefinitions: Readonly<Record<StageName, batch.EcsJobDefinition>>;
  readonly prepareFunction: NodejsFunction;
  readonly planFunction: NodejsFunction;
  readonly schedules: Schedules;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy =
      config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const retention = config.logRetentionDays as logs.RetentionDays;
    this.jobDefinitions = new StageJobDefinitions(this, 'JobDefinitions', {
      image: stageImage(this, config, props.repository, props.projectRoot),
      stages: config.stages,
      platform: config.compute.type === 'ec2' ? 'ec2' : 'fargate',
      cpuArchitecture: config.compute.cpuArchitecture,
      bucketName: props.bucket.bucketName,
      jobRole: props.jobRole,
      executionRole: props.executionRole,
      logGroup: props.jobLogGroup,
      retryAttempts: config.retry.attempts,
      transientExitCodes: config.retry.transientExitCodes,
      names: props.jobDefinitionNames,
    }).byStage;
    const prepareConfig: PrepareConfig = {
      bucket: props.bucket.bucketName,
      environment: config.name,
      billingProject: config.billingProject,
      platform: config.compute.type === 'ec2' ? 'ec2' : 'fargate',
      repositoryUri: props.repositoryUri,
      allowedImageRepositories: config.image.allowedRepositories,
      resources: config.stages,
      jobDefinitions: {
        builder: this.jobDefinitions.builder.jobDefinitionArn,
        runner: this.jobDefinitions.runner.jobDefinitionArn,
        output: this.jobDefinitions.output.jobDefinitionArn,
      },
    };
    this.prepareFunction = this.lambda(
      'PrepareRun',
      'prepare-run',
      { [PREPARE_CONFIG_VAR]: this.toJsonString(prepareConfig) },
      props,
      retention,
      removalPolicy,
    );
    this.planFunction = this.lambda(
      'PlanStageB',
      'plan-stage-b',
      { [PLAN_BUCKET_VAR]: props.bucket.bucketName },
      props,
      retention,
      removalPolicy,
    );
    this.grantLambdas(props);

    // Under /aws/vendedlogs/, Step Functions delivers logs without adding to the account's CloudWatch
    // Logs resource policy (5,120 characters, often full in busy accounts).
    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/vendedlogs/states/${config.stackPrefix}-executions`,
      retention,
      removalPolicy,
    });
    const definition = pipelineDefinition({
      prepareFunctionArn: this.prepareFunction.functionArn,
      planFunctionArn: this.planFunction.functionArn,
      jobQueueArn: props.jobQueue.jobQueueArn,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(this.toJsonString(definition)),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.grantRun(props);
    this.schedules = new Schedules(this, 'Schedules', {
      stateMachine: this.stateMachine,
      bucket: props.bucket,
      prepareFunction: this.prepareFunction,
      scheduleSnapshotCopy: props.scheduleSnapshotCopy,
      dataTriggers: config.dataTriggers ?? [],
    });
    new CfnOutput(this, STACK_OUTPUTS.stateMachineArn, {
      value: this.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, STACK_OUTPUTS.scheduleGroupName, {
      value: this.schedules.group.scheduleGroupName,
    });
    new CfnOutput(this, STACK_OUTPUTS.schedulerRoleArn, { value: this.schedules.role.roleArn });
    for (const stage of STAGES)
      new CfnOutput(this, JOB_DEFINITION_OUTPUTS[stage], {
        value: this.jobDefinitions[stage].jobDefinitionArn,
      });
    this.acknowledgeFindings();
  }

  private lambda(
    id: string,
    dir: string,
    environment: Record<string, string>,
    props: PipelineStackProps,
    retention: logs.RetentionDays,
    removalPolicy: RemovalPolicy,
  ): NodejsFunction {
    const fn = new NodejsFunction(this, id, {
      entry: join(props.projectRoot, 'lambdas', dir, 'handler.ts'),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: lockFile(props.projectRoot),
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(60),
      tracing: lambda.Tracing.ACTIVE,
      environment,
      logGroup: new logs.LogGroup(this, `${id}Logs`, { retention, removalPolicy }),
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE_TARGET,
        minify: true,
        sourceMap: false,
        forceDockerBundling: false,
        mainFields: ['module', 'main'],
      },
    });
    acknowledge(
      fn,
      'AwsSolutions-L1',
      'The lambdas run Node 22 (LTS, supported by Lambda), the Node major of the stage image (docker/Dockerfile): the shared lib/contract code runs on one Node version everywhere.',
    );
    return fn;
  }

  /** PrepareRun pins and registers image-override revisions; PlanStageB reads manifests. */
  private grantLambdas(props: PipelineStackProps): void {
    const jobDefinitionNames = Object.values(props.jobDefinitionNames).map((name) =>
      this.jobDefinitionRevisions(name),
    );
    this.prepareFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['batch:DescribeJobDefinitions'], resources: ['*'] }),
    );
    // Batch authorizes RegisterJobDefinition on the ARN without a revision, and tags the new revision on its own.
    const unrevisioned = Object.values(props.jobDefinitionNames).map((name) =>
      this.formatArn({
        service: 'batch',
        resource: 'job-definition',
        resourceName: name,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    this.prepareFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['batch:RegisterJobDefinition', 'batch:TagResource'],
        resources: [...unrevisioned, ...jobDefinitionNames],
      }),
    );
    // An image override by tag is pinned to the digest the tag names when the run starts.
    this.prepareFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecr:DescribeImages'],
        resources: [props.repository.repositoryArn],
      }),
    );
    this.prepareFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: props.jobRoles.map((r) => r.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'batch.amazonaws.com' } },
      }),
    );
    this.planFunction.role?.addManagedPolicy(props.manifestRead);
  }

  /** The state machine submits, watches (`.sync`) and terminates Batch jobs, and invokes its two lambdas. */
  private grantRun(props: PipelineStackProps): void {
    const role = this.stateMachine.role;
    const jobs = this.formatArn({
      service: 'batch',
      resource: 'job',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const revisions = Object.values(props.jobDefinitionNames).map((name) =>
      this.jobDefinitionRevisions(name),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.prepareFunction.functionArn, this.planFunction.functionArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['batch:SubmitJob'],
        resources: [props.jobQueue.jobQueueArn, ...revisions],
      }),
    );
    // SubmitJob is also authorized on the new job's ARN (its required `job` resource type).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['batch:SubmitJob', 'batch:TagResource', 'batch:TerminateJob'],
        resources: [jobs],
      }),
    );
    // SubmitJob with Tags may be authorized for tagging against the job definition revision it names.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['batch:TagResource'], resources: revisions }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['batch:DescribeJobs'], resources: ['*'] }),
    );
    const syncRule = this.formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: 'StepFunctionsGetEventsForBatchJobsRule',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [syncRule],
      }),
    );
  }

  private acknowledgeFindings(): void {
    acknowledgeWildcardResources(this, [
      {
        resource: /:job-definition\/[A-Za-z0-9-]+:\*$/,
        reason:
          "Every revision of this deployment's job definition: PrepareRun registers a revision when an execution overrides the image.",
      },
      {
        resource: /:job\/\*$/,
        reason:
          'Batch job ids exist only once submitted; tagging at submit and TerminateJob on stop need the job ARN pattern of this account and region.',
      },
      {
        resource: /^\*$/,
        reason:
          'Actions without resource-level permissions only: batch:DescribeJobs/DescribeJobDefinitions, X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling*, CloudWatch Logs vended-log delivery.',
      },
    ]);
    for (const fn of [this.prepareFunction, this.planFunction]) {
      acknowledge(
        fn,
        LAMBDA_BASIC_EXECUTION,
        'AWSLambdaBasicExecutionRole grants only CreateLogGroup/CreateLogStream/PutLogEvents, which every function needs.',
      );
    }
  }

  /** Every revision of a job definition: `job-definition/<name>:*`. */
  private jobDefinitionRevisions(name: string): string {
    return this.formatArn({
      service: 'batch',
      resource: 'job-definition',
      resourceName: `${name}:*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
}
