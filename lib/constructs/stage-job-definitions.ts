import { Duration, Size } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { LogDriver } from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/schema.js';
import { ENV } from '../contract/env.js';
import { STAGES, type StageName } from '../contract/layout.js';

/** The container command of a stage (working directory `/app` in the image). */
export function stageCommand(stage: StageName): string[] {
  return ['node', 'dist/stage.mjs', stage];
}

/** Status reason of a Fargate Spot task that AWS reclaimed. */
export const FARGATE_SPOT_INTERRUPTED = 'Your Spot Task was interrupted*';

/**
 * The retry strategy of every stage job: retry Spot reclaims (EC2 and
 * Fargate) and the designated transient exit codes; exit on anything else.
 * Batch evaluates at most 5 rules, in order.
 */
function stageRetryStrategies(transientExitCodes: readonly number[]): batch.RetryStrategy[] {
  return [
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
    batch.RetryStrategy.of(
      batch.Action.RETRY,
      batch.Reason.custom({ onStatusReason: FARGATE_SPOT_INTERRUPTED }),
    ),
    ...transientExitCodes.map((code) =>
      batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onExitCode: String(code) })),
    ),
    batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onReason: '*' })),
  ];
}

/** Props of {@link StageJobDefinitions}. */
export interface StageJobDefinitionsProps {
  readonly image: ecs.ContainerImage;
  readonly stages: Readonly<Record<StageName, StageConfig>>;
  readonly platform: 'fargate' | 'ec2';
  readonly bucketName: string;
  readonly jobRole: iam.IRole;
  readonly executionRole: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  readonly retryAttempts: number;
  readonly transientExitCodes: readonly number[];
  /** Job definition names, fixed so IAM can scope every revision by name. */
  readonly names: Readonly<Record<StageName, string>>;
}

/** One job definition per stage (A builder, B runner, C output), sized and timed from config. */
export class StageJobDefinitions extends Construct {
  readonly byStage: Readonly<Record<StageName, batch.EcsJobDefinition>>;

  constructor(scope: Construct, id: string, props: StageJobDefinitionsProps) {
    super(scope, id);
    const entries = STAGES.map((stage) => [stage, this.define(stage, props)] as const);
    this.byStage = Object.fromEntries(entries) as Record<StageName, batch.EcsJobDefinition>;
  }

  private define(stage: StageName, props: StageJobDefinitionsProps): batch.EcsJobDefinition {
    const size = props.stages[stage];
    const common = {
      image: props.image,
      cpu: size.vcpus,
      memory: Size.mebibytes(size.memoryMiB),
      command: stageCommand(stage),
      environment: { [ENV.executionMode]: 'cloud', [ENV.bucket]: props.bucketName },
      jobRole: props.jobRole,
      executionRole: props.executionRole,
      logging: LogDriver.awsLogs({ logGroup: props.logGroup, streamPrefix: stage }),
      readonlyRootFilesystem: false,
    };
    const container =
      props.platform === 'fargate'
        ? new batch.EcsFargateContainerDefinition(this, `${capitalize(stage)}Container`, {
            ...common,
            assignPublicIp: false,
          })
        : new batch.EcsEc2ContainerDefinition(this, `${capitalize(stage)}Container`, common);
    return new batch.EcsJobDefinition(this, capitalize(stage), {
      jobDefinitionName: props.names[stage],
      container,
      propagateTags: true,
      timeout: Duration.minutes(size.timeoutMinutes),
      retryAttempts: props.retryAttempts,
      retryStrategies: stageRetryStrategies(props.transientExitCodes),
    });
  }
}

const capitalize = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
