import {
  Arn,
  ArnFormat,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config/schema.js';
import { Network } from '../constructs/network.js';
import { STACK_OUTPUTS } from '../contract/execution.js';
import { parseEcrRepository } from '../contract/image.js';
import { acknowledge, acknowledgeWildcardResources } from './nag-acknowledgements.js';

export { DOCKERFILE } from '../constructs/stage-image.js';

/**
 * The job queue's name, `<StackPrefix>JobQueue` (e.g. EpycloudDevJobQueue): fixed, so consumers
 * build its ARN instead of importing it. It is also the queue's logical id (letters and digits
 * only), so no refactoring replaces the queue, and `Ref` and the built ARN name the same queue.
 */
export function jobQueueName(stackPrefix: string): string {
  const words = stackPrefix.split('-').filter((w) => w !== '');
  return `${words.map((w) => `${w.charAt(0).toUpperCase()}${w.slice(1)}`).join('')}JobQueue`;
}

/** How long a job blocked by a misconfiguration stays RUNNABLE before the queue cancels it (Batch's minimum). */
const MISCONFIGURED_WAIT = Duration.minutes(10);

/** Logical id of the image repository (retained): fixed, so refactoring never replaces it. */
export const REPOSITORY_LOGICAL_ID = 'ImageRepository';

/** Props of {@link ComputeStack}. */
export interface ComputeStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** The policy giving stage containers the data bucket. */
  readonly runDataAccess: iam.IManagedPolicy;
}

/**
 * Batch compute: the VPC, compute environments (Fargate Spot then Fargate by
 * default, or managed EC2), one job queue with a fixed name, the image
 * repository, the jobs' log group and roles. The stage job definitions live
 * with the state machine that submits them (Pipeline stack): a new revision
 * then changes no cross-stack export.
 */
export class ComputeStack extends Stack {
  readonly jobQueue: batch.JobQueue;
  /**
   * The queue as other stacks refer to it: an ARN built from its fixed name and pseudo
   * parameters, never an export (Tags of a queue are create-only; an exported ARN could change).
   */
  readonly jobQueueReference: batch.IJobQueue;
  readonly repository: ecr.Repository;
  readonly logGroup: logs.LogGroup;
  /** The role of the stage containers (the data bucket only). */
  readonly jobRole: iam.Role;
  /** The role ECS uses to pull the image and write job logs. */
  readonly executionRole: iam.Role;
  /** Roles Batch passes to the job's containers (the state machine's image-override lambda passes them too). */
  readonly jobRoles: readonly iam.IRole[];

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy =
      config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const retention = config.logRetentionDays as logs.RetentionDays;
    const ec2Compute = config.compute.type === 'ec2';
    const network = new Network(this, 'Network', {
      mode: config.network.mode,
      maxAzs: config.network.maxAzs,
      ec2: ec2Compute,
      logRetention: retention,
      removalPolicy,
    });

    this.logGroup = new logs.LogGroup(this, 'JobLogs', { retention, removalPolicy });
    this.repository = new ecr.Repository(this, 'Images', {
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.MUTABLE,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          description: 'Drop untagged images after 14 days',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(14),
        },
      ],
    });

    (this.repository.node.defaultChild as ecr.CfnRepository).overrideLogicalId(
      REPOSITORY_LOGICAL_ID,
    );

    const jobRole = (this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'epycloud stage containers: the data bucket only',
      managedPolicies: [props.runDataAccess],
    }));
    const executionRole = (this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Pulls the epycloud image and writes job logs',
    }));
    this.repository.grantPull(executionRole);
    this.grantAllowedPulls(config.image.allowedRepositories, executionRole);
    this.logGroup.grantWrite(executionRole);
    this.jobRoles = [jobRole, executionRole];

    this.jobQueue = this.queue(config, network);
    this.jobQueueReference = batch.JobQueue.fromJobQueueArn(
      this,
      'QueueReference',
      Arn.format({
        partition: Aws.PARTITION,
        service: 'batch',
        region: Aws.REGION,
        account: Aws.ACCOUNT_ID,
        resource: 'job-queue',
        resourceName: jobQueueName(config.stackPrefix),
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );

    this.outputs();
    this.acknowledgeFindings(network);
  }

  /**
   * The job queue, under its fixed name and logical id. A job that can never be placed (no
   * compute environment or instance type fits it) is cancelled after 10 minutes in RUNNABLE, one
   * waiting for EC2 capacity after `compute.capacityWaitMinutes`: the run fails instead of
   * waiting forever.
   */
  private queue(config: DeploymentConfig, network: Network): batch.JobQueue {
    const name = jobQueueName(config.stackPrefix);
    const cancelAfter = (reason: batch.JobStateTimeLimitActionsReason, maxTime: Duration) => ({
      action: batch.JobStateTimeLimitActionsAction.CANCEL,
      state: batch.JobStateTimeLimitActionsState.RUNNABLE,
      reason,
      maxTime,
    });
    const queue = new batch.JobQueue(this, 'Queue', {
      jobQueueName: name,
      computeEnvironments: this.computeEnvironments(config, network),
      priority: 1,
      jobStateTimeLimitActions: [
        cancelAfter(
          batch.JobStateTimeLimitActionsReason.COMPUTE_ENVIRONMENT_MAX_RESOURCE,
          MISCONFIGURED_WAIT,
        ),
        cancelAfter(
          batch.JobStateTimeLimitActionsReason.JOB_RESOURCE_REQUIREMENT,
          MISCONFIGURED_WAIT,
        ),
        cancelAfter(
          batch.JobStateTimeLimitActionsReason.INSUFFICIENT_INSTANCE_CAPACITY,
          Duration.minutes(config.compute.capacityWaitMinutes),
        ),
      ],
    });
    (queue.node.defaultChild as batch.CfnJobQueue).overrideLogicalId(name);
    return queue;
  }

  /**
   * Pulls from the private ECR repositories the config allows runs to name
   * (public registries need no grant): with the stack's own, the only private
   * images a job can start from.
   */
  private grantAllowedPulls(repositories: readonly string[], role: iam.IRole): void {
    repositories.forEach((uri, i) => {
      const found = parseEcrRepository(uri);
      if (found === undefined) return;
      const arn = this.formatArn({
        service: 'ecr',
        account: found.account,
        region: found.region,
        resource: 'repository',
        resourceName: found.name,
      });
      ecr.Repository.fromRepositoryAttributes(this, `AllowedRepository${i}`, {
        repositoryArn: arn,
        repositoryName: found.name,
      }).grantPull(role);
    });
  }

  private computeEnvironments(
    config: DeploymentConfig,
    network: Network,
  ): batch.OrderedComputeEnvironment[] {
    const common = {
      vpc: network.vpc,
      vpcSubnets: network.taskSubnets,
      securityGroups: [network.taskSecurityGroup],
      maxvCpus: config.compute.maxvCpus,
    };
    if (config.compute.type === 'ec2') {
      const ce = new batch.ManagedEc2EcsComputeEnvironment(this, 'Ec2', {
        ...common,
        spot: config.compute.ec2Spot,
        minvCpus: 0,
        useOptimalInstanceClasses: false,
        instanceTypes: config.compute.ec2InstanceTypes
          .filter((t) => t.includes('.'))
          .map((t) => new ec2.InstanceType(t)),
        instanceClasses: config.compute.ec2InstanceTypes
          .filter((t) => !t.includes('.'))
          .map((t) => t as ec2.InstanceClass),
        allocationStrategy: config.compute.ec2Spot
          ? batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED
          : batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
      });
      acknowledge(
        ce,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
        'The ECS agent on Batch-managed instances needs AmazonEC2ContainerServiceforEC2Role (register with ECS, pull images, write logs); AWS keeps it in step with ECS.',
      );
      return [{ computeEnvironment: ce, order: 1 }];
    }
    const onDemand = new batch.FargateComputeEnvironment(this, 'Fargate', {
      ...common,
      spot: false,
    });
    if (config.compute.type === 'fargate') return [{ computeEnvironment: onDemand, order: 1 }];
    const spot = new batch.FargateComputeEnvironment(this, 'FargateSpot', {
      ...common,
      spot: true,
    });
    return [
      { computeEnvironment: spot, order: 1 },
      { computeEnvironment: onDemand, order: 2 },
    ];
  }

  private acknowledgeFindings(network: Network): void {
    acknowledgeWildcardResources(this, [
      {
        resource: /^\*$/,
        reason:
          'ecr:GetAuthorizationToken has no resource-level permissions; image pulls themselves are scoped to the repository.',
      },
    ]);
    const endpoints = network.node.tryFindChild('Endpoints');
    if (endpoints !== undefined) {
      acknowledge(
        endpoints,
        'AwsSolutions-EC23',
        'The endpoint security group allows HTTPS only from the task security group (a reference nag cannot evaluate), never from 0.0.0.0/0.',
      );
    }
  }

  private outputs(): void {
    new CfnOutput(this, STACK_OUTPUTS.jobQueueArn, { value: this.jobQueue.jobQueueArn });
    new CfnOutput(this, STACK_OUTPUTS.logGroupName, { value: this.logGroup.logGroupName });
    new CfnOutput(this, STACK_OUTPUTS.repositoryUri, { value: this.repository.repositoryUri });
  }
}
