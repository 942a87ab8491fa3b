import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { DockerImageAsset } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config/schema.js';
import { Network } from '../constructs/network.js';
import { StageJobDefinitions } from '../constructs/stage-job-definitions.js';
import { STACK_OUTPUTS } from '../contract/execution.js';
import { parseEcrRepository } from '../contract/image.js';
import type { StageName } from '../contract/layout.js';
import { acknowledge, acknowledgeWildcardResources } from './nag-acknowledgements.js';

/** The image's Dockerfile (target `cloud`), relative to the project root. */
export const DOCKERFILE = 'docker/Dockerfile';

/** Logical id of the image repository (retained): fixed, so refactoring never replaces it. */
export const REPOSITORY_LOGICAL_ID = 'ImageRepository';

/** Props of {@link ComputeStack}. */
export interface ComputeStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly bucket: s3.IBucket;
  /** The policy giving stage containers the data bucket. */
  readonly runDataAccess: iam.IManagedPolicy;
  /** Repository root: the Docker build context when `image.source` is `asset`. */
  readonly projectRoot: string;
}

/**
 * Batch compute: the VPC, compute environments (Fargate Spot then Fargate by
 * default, or managed EC2), one job queue, the three stage job definitions,
 * the image repository and the jobs' log group.
 */
export class ComputeStack extends Stack {
  readonly jobQueue: batch.JobQueue;
  readonly jobDefinitions: Readonly<Record<StageName, batch.EcsJobDefinition>>;
  readonly repository: ecr.Repository;
  readonly logGroup: logs.LogGroup;
  /** Job definition names per stage (`<stackPrefix>-<stage>`): IAM scopes their revisions by name. */
  readonly jobDefinitionNames: Readonly<Record<StageName, string>>;
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

    const jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'epycloud stage containers: the data bucket only',
      managedPolicies: [props.runDataAccess],
    });
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Pulls the epycloud image and writes job logs',
    });
    this.repository.grantPull(executionRole);
    this.grantAllowedPulls(config.image.allowedRepositories, executionRole);
    this.logGroup.grantWrite(executionRole);
    this.jobRoles = [jobRole, executionRole];

    this.jobQueue = new batch.JobQueue(this, 'Queue', {
      computeEnvironments: this.computeEnvironments(config, network),
      priority: 1,
    });
    this.jobDefinitionNames = {
      builder: `${config.stackPrefix}-builder`,
      runner: `${config.stackPrefix}-runner`,
      output: `${config.stackPrefix}-output`,
    };
    this.jobDefinitions = new StageJobDefinitions(this, 'JobDefinitions', {
      image: this.image(config, props.projectRoot),
      stages: config.stages,
      platform: ec2Compute ? 'ec2' : 'fargate',
      bucketName: props.bucket.bucketName,
      jobRole,
      executionRole,
      logGroup: this.logGroup,
      retryAttempts: config.retry.attempts,
      transientExitCodes: config.retry.transientExitCodes,
      names: this.jobDefinitionNames,
    }).byStage;

    this.outputs();
    this.acknowledgeFindings(network);
  }

  private image(config: DeploymentConfig, projectRoot: string): ecs.ContainerImage {
    if (config.image.source === 'uri')
      return ecs.ContainerImage.fromRegistry(config.image.uri ?? '');
    if (config.image.source === 'repository')
      return ecs.ContainerImage.fromEcrRepository(this.repository, config.image.tag);
    // .dockerignore keeps only what the bundle needs; the Dockerfile itself must stay in the staged context.
    const asset = new DockerImageAsset(this, 'ImageAsset', {
      directory: projectRoot,
      file: DOCKERFILE,
      target: 'cloud',
      exclude: [`!${DOCKERFILE}`],
    });
    return ecs.ContainerImage.fromDockerImageAsset(asset);
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
    new CfnOutput(this, STACK_OUTPUTS.jobDefinitionBuilder, {
      value: this.jobDefinitions.builder.jobDefinitionArn,
    });
    new CfnOutput(this, STACK_OUTPUTS.jobDefinitionRunner, {
      value: this.jobDefinitions.runner.jobDefinitionArn,
    });
    new CfnOutput(this, STACK_OUTPUTS.jobDefinitionOutput, {
      value: this.jobDefinitions.output.jobDefinitionArn,
    });
  }
}
