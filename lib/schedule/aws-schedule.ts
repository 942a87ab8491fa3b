import type { CreateScheduleInput, GetScheduleOutput } from '@aws-sdk/client-scheduler';
import {
  buildScheduledExecutionInput,
  executionInputSchema,
  withStageImage,
} from '../contract/execution.js';
import type { StageImage } from '../contract/stage-image.js';
import { scheduleDefinitionSchema, type ScheduleDefinition } from './definition.js';

/** Where a cloud schedule fires and with what: the deployment's group, state machine and role. */
export interface ScheduleTarget {
  readonly groupName: string;
  readonly stateMachineArn: string;
  readonly roleArn: string;
  readonly dirPrefix: string;
}

/** EventBridge Scheduler's expression of a cron schedule. */
const expressionOf = (cron: string): string => `cron(${cron})`;

/**
 * The CreateSchedule (and UpdateSchedule) request of a schedule: its cron in
 * its time zone, no flexible window (it fires on the minute), and as target
 * the state machine with the fixed scheduled execution input (the schedule as
 * its source, `referenceDate` as given: `auto` resolves when the run starts;
 * the experiment's own image and commands when its `stages:` config names one).
 */
export function scheduleRequest(
  definition: ScheduleDefinition,
  target: ScheduleTarget,
  declared?: StageImage,
): CreateScheduleInput {
  const request = {
    expId: definition.expId,
    dirPrefix: target.dirPrefix,
    referenceDate: definition.referenceDate,
    outputConfigFile: definition.outputConfigFile,
  };
  const input = buildScheduledExecutionInput(withStageImage(request, declared), {
    schedule: definition.name,
  });
  return {
    Name: definition.name,
    GroupName: target.groupName,
    ScheduleExpression: expressionOf(definition.cron),
    ScheduleExpressionTimezone: definition.timezone,
    State: definition.state,
    Description: `epycloud: runs ${definition.expId}`,
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: target.stateMachineArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify(input),
    },
  };
}

/**
 * The schedule a GetSchedule answer describes; undefined for a schedule of the
 * group that epycloud did not make (its input is no scheduled execution input).
 */
export function definitionOf(schedule: GetScheduleOutput): ScheduleDefinition | undefined {
  const cron = /^cron\((.*)\)$/.exec(schedule.ScheduleExpression ?? '')?.[1];
  let input: unknown;
  try {
    input = JSON.parse(schedule.Target?.Input ?? 'null');
  } catch {
    return undefined;
  }
  const parsed = executionInputSchema.safeParse(input);
  if (!parsed.success || parsed.data.source === undefined || cron === undefined) return undefined;
  const definition = scheduleDefinitionSchema.safeParse({
    name: schedule.Name,
    expId: parsed.data.expId,
    cron,
    timezone: schedule.ScheduleExpressionTimezone ?? 'UTC',
    referenceDate: parsed.data.referenceDate,
    outputConfigFile: parsed.data.outputConfigFile,
    state: schedule.State,
  });
  return definition.success ? definition.data : undefined;
}

/** The UpdateSchedule request that changes only the state: UpdateSchedule replaces every field, so all are carried over. */
export function stateUpdate(
  schedule: GetScheduleOutput,
  state: ScheduleDefinition['state'],
): CreateScheduleInput {
  return {
    Name: schedule.Name,
    GroupName: schedule.GroupName,
    ScheduleExpression: schedule.ScheduleExpression,
    ScheduleExpressionTimezone: schedule.ScheduleExpressionTimezone,
    StartDate: schedule.StartDate,
    EndDate: schedule.EndDate,
    Description: schedule.Description,
    KmsKeyArn: schedule.KmsKeyArn,
    Target: schedule.Target,
    FlexibleTimeWindow: schedule.FlexibleTimeWindow,
    ActionAfterCompletion: schedule.ActionAfterCompletion,
    State: state,
  };
}
