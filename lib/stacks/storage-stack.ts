import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config/schema.js';
import type { ScheduleConfig } from '../config/schedule-config.js';
import { STACK_OUTPUTS } from '../contract/execution.js';
import { anyRunKey } from '../contract/layout.js';
import { anyScheduleSnapshotKey } from '../contract/schedule.js';
import { RUN_DIRS } from '../contract/run-dirs.js';
import { RETENTION_TAG } from '../contract/retention.js';
import { acknowledge, acknowledgeWildcardResources } from './nag-acknowledgements.js';

/** S3 object actions a stage container needs on the data bucket: no wildcards, no delete. */
export const RUN_DATA_OBJECT_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:PutObjectTagging',
  's3:AbortMultipartUpload',
] as const;

/**
 * The folders of a run whose objects a stage deletes: Stage C removes output
 * folders an interrupted Stage C left without `index.json`. The job role may
 * delete nothing else.
 */
const RUN_DATA_DELETED_DIRS = [RUN_DIRS.outputs] as const;

/** Key patterns (every run of every experiment) under which the job role may delete. */
const runDataDeletable = (): string[] => RUN_DATA_DELETED_DIRS.map((dir) => anyRunKey(`${dir}/*`));

/** Key pattern of every run's experiment snapshot: never deleted by a stage, whatever its files are called. */
const runSnapshots = (): string => anyRunKey(`${RUN_DIRS.experiment}/*`);

/** Props of {@link StorageStack}. */
export interface StorageStackProps extends StackProps {
  /** The deployment; with `dataTriggers`, the data bucket sends its events to EventBridge. */
  readonly config: DeploymentConfig & Partial<ScheduleConfig>;
}

/** Logical id of the data bucket: fixed, so refactoring the construct tree never replaces the bucket. */
export const DATA_BUCKET_LOGICAL_ID = 'DataBucket';
/** Logical id of the access-log bucket. */
const ACCESS_LOG_BUCKET_LOGICAL_ID = 'AccessLogBucket';

/**
 * The stateful stack: the one data bucket (runs, outputs, experiment
 * snapshots) and its access-log bucket. Intermediate artifacts (objects
 * tagged `epycloud:retention=intermediate`) expire after the configured days.
 */
export class StorageStack extends Stack {
  /** The data bucket every stage reads and writes. */
  readonly bucket: s3.Bucket;
  /** Read and write every object of the data bucket (the stage containers). */
  readonly runDataAccess: iam.ManagedPolicy;
  /** Read the builder manifests of any run (the PlanStageB lambda). */
  readonly manifestRead: iam.ManagedPolicy;
  /** Copy a schedule's experiment snapshot into a run's `experiment/` (the PrepareRun lambda). */
  readonly scheduleSnapshotCopy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const retain = props.config.removalPolicy === 'retain';
    const common: s3.BucketProps = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !retain,
    };
    this.bucket = this.dataBucket(common, this.accessLogBucket(common), props.config);
    this.runDataAccess = new iam.ManagedPolicy(this, 'RunDataAccess', {
      description: 'epycloud stage containers: objects of the data bucket, no other bucket',
      statements: [
        new iam.PolicyStatement({
          actions: [...RUN_DATA_OBJECT_ACTIONS],
          resources: [this.bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          actions: ['s3:DeleteObject'],
          resources: runDataDeletable().map((pattern) => this.bucket.arnForObjects(pattern)),
        }),
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['s3:DeleteObject'],
          resources: [this.bucket.arnForObjects(runSnapshots())],
        }),
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
      ],
    });
    this.manifestRead = new iam.ManagedPolicy(this, 'ManifestRead', {
      description:
        'epycloud PlanStageB: the builder manifests of the data bucket, and the task maps of retries',
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [this.bucket.arnForObjects(anyRunKey(`${RUN_DIRS.builder}/manifest.json`))],
        }),
        new iam.PolicyStatement({
          actions: ['s3:PutObject', 's3:PutObjectTagging'],
          resources: [this.bucket.arnForObjects(anyRunKey(`${RUN_DIRS.builder}/task-maps/*`))],
        }),
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
      ],
    });
    this.scheduleSnapshotCopy = new iam.ManagedPolicy(this, 'ScheduleSnapshotCopy', {
      description:
        "epycloud PrepareRun: copy a schedule's experiment snapshot into the run it starts",
      statements: [
        new iam.PolicyStatement({
          // snapshots carry no tags, so CopyObject needs no s3:GetObjectTagging/PutObjectTagging
          actions: ['s3:GetObject'],
          resources: [this.bucket.arnForObjects(anyScheduleSnapshotKey())],
        }),
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [this.bucket.arnForObjects(runSnapshots())],
        }),
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
      ],
    });
    this.acknowledgeFindings();
    new CfnOutput(this, STACK_OUTPUTS.bucketName, {
      value: this.bucket.bucketName,
      description: 'The epycloud data bucket',
    });
  }

  private accessLogBucket(common: s3.BucketProps): s3.Bucket {
    const logs = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    (logs.node.defaultChild as s3.CfnBucket).overrideLogicalId(ACCESS_LOG_BUCKET_LOGICAL_ID);
    acknowledge(
      logs,
      'AwsSolutions-S1',
      'This is the access-log bucket itself; logging it into itself would loop.',
    );
    return logs;
  }

  private dataBucket(
    common: s3.BucketProps,
    logs: s3.IBucket,
    config: StorageStackProps['config'],
  ): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Data', {
      ...common,
      versioned: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [
        {
          id: 'expire-intermediate-artifacts',
          tagFilters: { [RETENTION_TAG.key]: RETENTION_TAG.intermediate },
          expiration: Duration.days(config.storage.intermediateExpirationDays),
        },
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(
            config.storage.noncurrentVersionExpirationDays,
          ),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
    const cfn = bucket.node.defaultChild as s3.CfnBucket;
    cfn.overrideLogicalId(DATA_BUCKET_LOGICAL_ID);
    // Data-arrival triggers are EventBridge rules on the bucket's events; set on the bucket
    // itself (CloudFormation's EventBridgeConfiguration), no notifications custom resource.
    if ((config.dataTriggers ?? []).length > 0)
      cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    return bucket;
  }

  private acknowledgeFindings(): void {
    acknowledgeWildcardResources(this, [
      {
        resource: /^<DataBucket\.Arn>\/\*$/,
        reason:
          'Stage containers read and write the keys of the run they are given (its prefix is chosen per execution), so object access spans the data bucket; no other bucket.',
      },
      ...runDataDeletable().map((pattern) => ({
        resource: new RegExp(`^<DataBucket\\.Arn>/${escapeRegExp(pattern)}$`),
        reason:
          "Stages delete only under these folders of a run (Stage C removes unfinished output folders); the run's prefix is chosen per execution.",
      })),
      {
        resource: /^<DataBucket\.Arn>\/\*\/runs\/\*\/builder-artifacts\/manifest\.json$/,
        reason: 'PlanStageB reads only builder manifests (of any run prefix) of the data bucket.',
      },
      {
        resource: /^<DataBucket\.Arn>\/\*\/schedules\/\*\/experiment\/\*$/,
        reason:
          "PrepareRun reads the experiment snapshot of the schedule an execution names (any experiment's), to copy it into the scheduled run.",
      },
      {
        resource: /^<DataBucket\.Arn>\/\*\/runs\/\*\/experiment\/\*$/,
        reason:
          "PrepareRun writes only the experiment/ snapshot of the run it starts (CopyObject from its schedule's snapshot); the run's prefix is made per execution.",
      },
      {
        resource: /^<DataBucket\.Arn>\/\*\/runs\/\*\/builder-artifacts\/task-maps\/\*$/,
        reason:
          "PlanStageB writes a retry's task map (the tasks without a result) only under builder-artifacts/task-maps/ of a run; the run's prefix is chosen per execution.",
      },
    ]);
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
