import { Duration, Size } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CpuArchitecture, StageConfig } from '../config/schema.js';
import { ENV } from '../contract/env.js';
import { STAGES, type StageName } from '../contract/layout.js';

/** The container command of a stage (working directory `/app` in the image). */
export function stageCommand(stage: StageName): string[] {
  return ['node', 'dist/stage.mjs', stage];
}

/** Job definition names per stage, `<stackPrefix>-<stage>`: fixed, so IAM scopes every revision by name. */
export function stageJobDefinitionNames(stackPrefix: string): Readonly<Record<StageName, string>> {
  return {
    builder: `${stackPrefix}-builder`,
    runner: `${stackPrefix}-runner`,
    output: `${stackPrefix}-output`,
  };
}

/** Status reason of a Fargate Spot task that AWS reclaimed. */
export const FARGATE_SPOT_INTERRUPTED = 'Your Spot Task was interrupted*';
/** Status reason of a job whose EC2 host went away (a Spot reclaim or an instance failure). */
export const EC2_HOST_TERMINATED = 'Host EC2*';
/** Status reason of an attempt whose stage process ran and exited (its exit code says why). */
export const STAGE_EXITED = 'Essential container in task exited*';
/** Status reason of an attempt that ran past the job definition's timeout. */
export const ATTEMPT_TIMED_OUT = 'Job attempt duration exceeded timeout*';

/** Batch evaluates at most this many evaluateOnExit rules per job definition. */
export const MAX_RETRY_RULES = 5;

/**
 * The retry strategy of every stage job, in Batch's order (the first matching rule decides; an
 * attempt no rule matches is retried while attempts remain):
 *
 * 1. RETRY a reclaimed host: Fargate Spot interruption on Fargate, `Host EC2*` on EC2 (listed
 *    first: a reclaimed container may report an exit code of its own).
 * 2. RETRY the transient exit codes (S3 throttling, timeouts: the stage exits 6).
 * 3. EXIT when the stage process ran and exited with any other code: its own failure (a bug, bad
 *    input, out of memory) would fail again.
 * 4. EXIT when the attempt timed out.
 *
 * Everything else is an attempt that never ran the stage command: launch failures such as
 * `CannotPullContainerError*`, `ResourceInitializationError*` (ENI, secrets, log setup) or
 * `Task failed to start*`. No rule matches them, so Batch retries them. Listing each would take
 * 3 more of Batch's 5 rules; a catch-all EXIT (`onReason: *`) would fail them.
 */
export function stageRetryStrategies(
  platform: 'fargate' | 'ec2',
  transientExitCodes: readonly number[],
): batch.RetryStrategy[] {
  const reclaimed = platform === 'ec2' ? EC2_HOST_TERMINATED : FARGATE_SPOT_INTERRUPTED;
  const rules = [
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onStatusReason: reclaimed })),
    ...transientExitCodes.map((code) =>
      batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onExitCode: String(code) })),
    ),
    batch.RetryStrategy.of(
      batch.Action.EXIT,
      batch.Reason.custom({ onStatusReason: STAGE_EXITED }),
    ),
    batch.RetryStrategy.of(
      batch.Action.EXIT,
      batch.Reason.custom({ onStatusReason: ATTEMPT_TIMED_OUT }),
    ),
  ];
  if (rules.length > MAX_RETRY_RULES)
    throw new Error(
      `${rules.length} retry rules for ${transientExitCodes.length} transient exit codes: Batch takes at most ${MAX_RETRY_RULES}`,
    );
  return rules;
}

/** Props of {@link StageJobDefinitions}. */
export interface StageJobDefinitionsProps {
  readonly image: ecs.ContainerImage;
  readonly stages: Readonly<Record<StageName, StageConfig>>;
  readonly platform: 'fargate' | 'ec2';
  /** The CPU architecture of the image: the Fargate runtime platform (EC2 follows its instance types). */
  readonly cpuArchitecture: CpuArchitecture;
  readonly bucketName: string;
  readonly jobRole: iam.IRole;
  readonly executionRole: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  readonly retryAttempts: number;
  readonly transientExitCodes: readonly number[];
  /** Job definition names, fixed so IAM can scope every revision by name. */
  readonly names: Readonly<Record<StageName, string>>;
}

/**
 * One job definition per stage (A builder, B runner, C output), sized and timed from config. An
 * update registers a new revision and keeps the old one ACTIVE (`SkipDeregisterOnUpdate`): a run in
 * flight (PrepareRun picked its revisions at its start; Stages B and C submit later), or redriven
 * later, still submits to the revisions it started with.
 */
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
      logging: ecs.LogDriver.awsLogs({ logGroup: props.logGroup, streamPrefix: stage }),
      readonlyRootFilesystem: false,
    };
    const container =
      props.platform === 'fargate'
        ? new batch.EcsFargateContainerDefinition(this, `${capitalize(stage)}Container`, {
            ...common,
            assignPublicIp: false,
            fargateCpuArchitecture:
              props.cpuArchitecture === 'arm64'
                ? ecs.CpuArchitecture.ARM64
                : ecs.CpuArchitecture.X86_64,
            fargateOperatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
          })
        : new batch.EcsEc2ContainerDefinition(this, `${capitalize(stage)}Container`, common);
    const definition = new batch.EcsJobDefinition(this, capitalize(stage), {
      jobDefinitionName: props.names[stage],
      container,
      propagateTags: true,
      timeout: Duration.minutes(size.timeoutMinutes),
      retryAttempts: props.retryAttempts,
      retryStrategies: stageRetryStrategies(props.platform, props.transientExitCodes),
    });
    (definition.node.defaultChild as batch.CfnJobDefinition).resourceRetentionPolicy = {
      skipDeregisterOnUpdate: true,
    };
    return definition;
  }
}

const capitalize = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
