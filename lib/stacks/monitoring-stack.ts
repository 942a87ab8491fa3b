import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import type { DeploymentConfig } from '../config/schema.js';
import { RunNotifier } from '../constructs/run-notifier.js';
import { LAMBDA_BASIC_EXECUTION, acknowledge } from './nag-acknowledgements.js';

/** Props of {@link MonitoringStack}. */
export interface MonitoringStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly stateMachine: sfn.IStateMachine;
  readonly jobQueue: batch.IJobQueue;
  /** The data bucket: run-end notifications link a run's outputs in it; without it they carry no links. */
  readonly bucket?: s3.IBucket;
  /** Repository root, where the NotifyRun lambda's entry is; default: this checkout or package. */
  readonly projectRoot?: string;
}

/** The checkout or installed package this file is part of (`lib/stacks/` is two levels down). */
const OWN_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The notification text of a finished execution. */
const EXECUTION_MESSAGE = `epycloud run ${events.EventField.fromPath('$.detail.name')}: ${events.EventField.fromPath('$.detail.status')} (${events.EventField.fromPath('$.detail.executionArn')})`;

/** Construct id of CDK's singleton AwsCustomResource provider function. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** Namespace of the Batch job metrics derived from job state-change events. */
const METRIC_NAMESPACE = 'Epycloud';
/** Batch job states counted on the dashboard. */
const COUNTED_JOB_STATES = [
  'SUBMITTED',
  'RUNNABLE',
  'STARTING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
] as const;

/**
 * Monitoring and notification: Batch job state changes (of this queue) land
 * in a log group that metric filters count by state; a dashboard shows
 * executions, jobs by state and task durations; alarms on failed executions
 * and failed jobs, and EventBridge execution status changes, feed an
 * encrypted SNS topic with an optional email subscription. With webhook
 * secrets configured, the same status changes invoke the NotifyRun lambda
 * (docs/NOTIFY.md).
 */
export class MonitoringStack extends Stack {
  readonly topic: sns.Topic;
  /** Posts each ended execution's summary to the configured webhooks; absent when none is configured. */
  readonly notifyFunction: NodejsFunction | undefined;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy =
      config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.topic = this.notificationTopic(config, removalPolicy);
    const executionEnds = new events.Rule(this, 'ExecutionStatusChanges', {
      description: 'epycloud run finished: notify',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      targets: [
        new targets.SnsTopic(this.topic, {
          message: events.RuleTargetInput.fromText(EXECUTION_MESSAGE),
        }),
      ],
    });

    const jobEvents = new logs.LogGroup(this, 'BatchJobEvents', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy,
    });
    new events.Rule(this, 'BatchJobStateChanges', {
      description: 'Batch job state changes of the epycloud queue, for metrics and task durations',
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job State Change'],
        detail: { jobQueue: [props.jobQueue.jobQueueArn] },
      },
      targets: [new targets.CloudWatchLogGroup(jobEvents)],
    });
    this.acknowledgeLogTargetPolicy();
    const jobMetrics = COUNTED_JOB_STATES.map((state) => this.jobStateMetric(jobEvents, state));
    const failedJobs = jobMetrics[COUNTED_JOB_STATES.indexOf('FAILED')] as cloudwatch.Metric;

    this.alarm(
      'FailedExecutions',
      'An epycloud run (state machine execution) failed',
      props.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    this.alarm(
      'FailedJobs',
      'An epycloud Batch job (or array child) failed after its retries',
      failedJobs,
    );
    this.dashboard(props.stateMachine, jobMetrics, jobEvents);
    this.notifyFunction = this.runNotifier(props, removalPolicy);
    if (this.notifyFunction !== undefined)
      // The rule's structured event (ids, status, input, output, cause), not the topic's text.
      executionEnds.addTarget(new targets.LambdaFunction(this.notifyFunction));
  }

  /** The NotifyRun lambda (docs/NOTIFY.md), when the config names a webhook secret. */
  private runNotifier(
    props: MonitoringStackProps,
    removalPolicy: RemovalPolicy,
  ): NodejsFunction | undefined {
    const { notifications, logRetentionDays } = props.config;
    if (notifications.webhookSecret === undefined && notifications.slackWebhookSecret === undefined)
      return undefined;
    const fn = new RunNotifier(this, 'NotifyRun', {
      notifications,
      bucket: props.bucket,
      projectRoot: props.projectRoot ?? OWN_ROOT,
      logRetention: logRetentionDays as logs.RetentionDays,
      removalPolicy,
    }).function;
    this.acknowledgeNotifier(fn);
    return fn;
  }

  private acknowledgeNotifier(fn: NodejsFunction): void {
    acknowledge(
      fn,
      'AwsSolutions-L1',
      'Node 22 (LTS), the Node major of the other lambdas and the stage image: the shared lib code runs on one Node version everywhere.',
    );
    acknowledge(
      fn,
      LAMBDA_BASIC_EXECUTION,
      'AWSLambdaBasicExecutionRole grants only CreateLogGroup/CreateLogStream/PutLogEvents, which every function needs.',
    );
  }

  /** The KMS-encrypted, TLS-only topic that EventBridge and CloudWatch alarms publish to. */
  private notificationTopic(config: DeploymentConfig, removalPolicy: RemovalPolicy): sns.Topic {
    const key = new kms.Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'epycloud notifications topic',
      removalPolicy,
    });
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      key.grant(new iam.ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey');
    }
    const topic = new sns.Topic(this, 'Notifications', {
      masterKey: key,
      enforceSSL: true,
      displayName: `epycloud ${config.name}`,
    });
    if (config.notificationEmail !== undefined)
      topic.addSubscription(new subscriptions.EmailSubscription(config.notificationEmail));
    return topic;
  }

  /** An alarm that notifies the topic as soon as the metric reaches 1 in a 5-minute period. */
  private alarm(id: string, description: string, metric: cloudwatch.IMetric): void {
    new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new actions.SnsAction(this.topic));
  }

  /** The events-to-logs target installs its log resource policy through a CDK-provided custom resource. */
  private acknowledgeLogTargetPolicy(): void {
    for (const child of this.node.children) {
      if (child.node.id.startsWith('EventsLogGroupPolicy')) {
        acknowledge(
          child,
          'AwsSolutions-IAM5[Resource::*]',
          'CDK custom resource that calls logs:PutResourcePolicy/DeleteResourcePolicy once at deploy; these actions have no resource-level permissions.',
        );
      }
    }
    const provider = this.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (provider !== undefined) {
      acknowledge(
        provider,
        LAMBDA_BASIC_EXECUTION,
        "The CDK custom resource provider's function writes its own logs only (AWSLambdaBasicExecutionRole).",
      );
    }
  }

  private jobStateMetric(group: logs.ILogGroup, state: string): cloudwatch.Metric {
    const filter = new logs.MetricFilter(this, `Jobs${state}`, {
      logGroup: group,
      metricNamespace: METRIC_NAMESPACE,
      metricName: `BatchJobs${state}`,
      filterPattern: logs.FilterPattern.stringValue('$.detail.status', '=', state),
      metricValue: '1',
      defaultValue: 0,
    });
    return filter.metric({ statistic: 'Sum', period: Duration.minutes(5), label: state });
  }

  private dashboard(
    stateMachine: sfn.IStateMachine,
    jobMetrics: cloudwatch.IMetric[],
    jobEvents: logs.ILogGroup,
  ): void {
    const period = Duration.minutes(5);
    new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Executions',
            left: [
              stateMachine.metricStarted({ period }),
              stateMachine.metricSucceeded({ period }),
              stateMachine.metricFailed({ period }),
              stateMachine.metricAborted({ period }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Batch jobs by state (transitions per 5 min)',
            left: jobMetrics,
            width: 12,
          }),
        ],
        [
          new cloudwatch.LogQueryWidget({
            title: 'Task durations (seconds) of finished jobs',
            logGroupNames: [jobEvents.logGroupName],
            view: cloudwatch.LogQueryVisualizationType.LINE,
            queryLines: [
              'filter detail.status in ["SUCCEEDED", "FAILED"] and ispresent(detail.startedAt)',
              'fields (detail.stoppedAt - detail.startedAt) / 1000 as seconds',
              'stats avg(seconds) as avg, pct(seconds, 95) as p95, max(seconds) as max by bin(15m)',
            ],
            width: 24,
          }),
        ],
      ],
    });
  }
}
