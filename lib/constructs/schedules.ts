import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DataTrigger } from '../config/schedule-config.js';
import { buildScheduledExecutionInput } from '../contract/execution.js';

/** Props of {@link Schedules}. */
export interface SchedulesProps {
  /** The state machine schedules and triggers start. */
  readonly stateMachine: sfn.IStateMachine;
  /** The data bucket whose new objects the triggers watch (its EventBridge notifications must be on). */
  readonly bucket: s3.IBucket;
  /** PrepareRun, which copies a schedule's experiment snapshot into each scheduled run... */
  readonly prepareFunction: lambda.IFunction;
  /** ...with this policy of the data bucket's stack (its keys scoped there, no cross-stack wildcard). */
  readonly scheduleSnapshotCopy: iam.IManagedPolicy;
  /** Data-arrival triggers. @default none */
  readonly dataTriggers?: readonly DataTrigger[];
}

/**
 * Where the CLI's schedules live and what they may do: an EventBridge
 * Scheduler group (generated name) and the role its schedules start
 * executions with, assumable by EventBridge Scheduler for schedules of this
 * account's group only and allowed `states:StartExecution` on the state
 * machine alone. Each data-arrival trigger is an EventBridge rule on the data
 * bucket's "Object Created" events under its prefix, starting the state
 * machine with its schedule's fixed input and the new object's key.
 */
export class Schedules extends Construct {
  readonly group: scheduler.ScheduleGroup;
  /** The role the CLI's schedules name as their target's `RoleArn`. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.group = new scheduler.ScheduleGroup(this, 'Group');
    const schedulesOfGroup = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.scheduleGroupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.role = new iam.Role(this, 'Role', {
      description: 'epycloud schedules: start executions of the pipeline state machine',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': schedulesOfGroup },
        },
      }),
    });
    props.stateMachine.grantStartExecution(this.role);
    props.prepareFunction.role?.addManagedPolicy(props.scheduleSnapshotCopy);
    (props.dataTriggers ?? []).forEach((trigger, i) => this.dataTrigger(i, trigger, props));
  }

  /** One data-arrival trigger: new objects under its prefix start a run of its schedule. */
  private dataTrigger(index: number, trigger: DataTrigger, props: SchedulesProps): void {
    const input = buildScheduledExecutionInput(
      {
        expId: trigger.expId,
        dirPrefix: trigger.dirPrefix,
        referenceDate: trigger.referenceDate,
        outputConfigFile: trigger.outputConfigFile,
      },
      { schedule: trigger.schedule },
    );
    const key =
      trigger.suffix === undefined
        ? events.Match.prefix(trigger.prefix)
        : events.Match.wildcard(`${trigger.prefix}*${trigger.suffix}`);
    new events.Rule(this, `DataTrigger${index}`, {
      description: `epycloud: a new object under ${trigger.prefix} runs schedule ${trigger.schedule}`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.bucket.bucketName] }, object: { key } },
      },
      targets: [
        new targets.SfnStateMachine(props.stateMachine, {
          input: events.RuleTargetInput.fromObject({
            ...input,
            source: {
              schedule: trigger.schedule,
              trigger: events.EventField.fromPath('$.detail.object.key'),
            },
          }),
        }),
      ],
    });
  }
}
