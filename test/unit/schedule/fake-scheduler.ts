import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleInput,
  type GetScheduleOutput,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';

/** A service error shaped like the SDK's. */
function schedulerError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** EventBridge Scheduler's rule for schedule and group names. */
const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
/** Schedules per ListSchedules page when MaxResults is absent (the API's maximum is 100). */
const PAGE = 100;

/**
 * An in-memory EventBridge Scheduler behind aws-sdk-client-mock, with the real
 * API's rules: names match `[0-9a-zA-Z-_.]+` and have at most 64 characters;
 * the group must exist; CreateSchedule of an existing name is a
 * ConflictException; Get, Update and Delete of an unknown one a
 * ResourceNotFoundException; `State` is ENABLED or DISABLED; a schedule needs
 * `ScheduleExpression`, `FlexibleTimeWindow.Mode` and a `Target` with `Arn`
 * and `RoleArn`; UpdateSchedule replaces the whole schedule; ListSchedules
 * pages with NextToken. Every call is recorded.
 */
export class FakeScheduler {
  readonly client = new SchedulerClient({ region: 'eu-west-1' });
  readonly mock = mockClient(this.client);
  readonly groups = new Set<string>(['default']);
  readonly schedules = new Map<string, GetScheduleOutput>();
  readonly calls: string[] = [];

  constructor(group: string) {
    this.groups.add(group);
    this.mock.on(CreateScheduleCommand).callsFake((input: CreateScheduleInput) => {
      this.calls.push('CreateSchedule');
      const key = this.check(input.Name, input.GroupName);
      this.checkDefinition(input);
      if (this.schedules.has(key))
        throw schedulerError('ConflictException', `Schedule ${input.Name} already exists.`, 409);
      this.schedules.set(key, this.stored(input));
      return { ScheduleArn: this.arn(input) };
    });
    this.mock.on(UpdateScheduleCommand).callsFake((input: CreateScheduleInput) => {
      this.calls.push('UpdateSchedule');
      const key = this.existing(input.Name, input.GroupName);
      this.checkDefinition(input);
      this.schedules.set(key, this.stored(input));
      return { ScheduleArn: this.arn(input) };
    });
    this.mock.on(GetScheduleCommand).callsFake((input: { Name?: string; GroupName?: string }) => {
      this.calls.push('GetSchedule');
      return structuredClone(this.schedules.get(this.existing(input.Name, input.GroupName)));
    });
    this.mock
      .on(DeleteScheduleCommand)
      .callsFake((input: { Name?: string; GroupName?: string }) => {
        this.calls.push('DeleteSchedule');
        this.schedules.delete(this.existing(input.Name, input.GroupName));
        return {};
      });
    this.mock
      .on(ListSchedulesCommand)
      .callsFake((input: { GroupName?: string; NextToken?: string; MaxResults?: number }) => {
        this.calls.push('ListSchedules');
        const group = input.GroupName ?? 'default';
        if (!this.groups.has(group))
          throw schedulerError(
            'ResourceNotFoundException',
            `Schedule group ${group} does not exist.`,
            404,
          );
        const all = [...this.schedules.values()].filter((s) => s.GroupName === group);
        const start = Number(input.NextToken ?? 0);
        const size = input.MaxResults ?? PAGE;
        return {
          Schedules: all.slice(start, start + size).map((s) => ({
            Name: s.Name,
            GroupName: s.GroupName,
            State: s.State,
            Target: { Arn: s.Target?.Arn },
          })),
          NextToken: start + size < all.length ? String(start + size) : undefined,
        };
      });
  }

  private arn(input: { Name?: string; GroupName?: string }): string {
    return `arn:aws:scheduler:eu-west-1:123456789012:schedule/${input.GroupName ?? 'default'}/${input.Name}`;
  }

  /** The key of a schedule whose name and group are valid and whose group exists. */
  private check(name: string | undefined, groupName: string | undefined): string {
    const group = groupName ?? 'default';
    for (const [what, value] of [
      ['name', name],
      ['groupName', group],
    ] as const)
      if (value === undefined || !NAME.test(value))
        throw schedulerError(
          'ValidationException',
          `1 validation error detected: Value '${value}' at '${what}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$ and length <= 64`,
        );
    if (!this.groups.has(group))
      throw schedulerError(
        'ResourceNotFoundException',
        `Schedule group ${group} does not exist.`,
        404,
      );
    return `${group}/${name}`;
  }

  private existing(name: string | undefined, groupName: string | undefined): string {
    const key = this.check(name, groupName);
    if (!this.schedules.has(key))
      throw schedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    return key;
  }

  private checkDefinition(input: CreateScheduleInput): void {
    const problems = [
      input.ScheduleExpression ? undefined : 'scheduleExpression is required',
      input.FlexibleTimeWindow?.Mode === 'OFF' || input.FlexibleTimeWindow?.Mode === 'FLEXIBLE'
        ? undefined
        : 'flexibleTimeWindow.mode must be OFF or FLEXIBLE',
      input.Target?.Arn && input.Target.RoleArn
        ? undefined
        : 'target.arn and target.roleArn are required',
      input.State === undefined || input.State === 'ENABLED' || input.State === 'DISABLED'
        ? undefined
        : `state '${input.State}' must be ENABLED or DISABLED`,
      /^(cron|rate|at)\(.+\)$/.test(input.ScheduleExpression ?? '')
        ? undefined
        : `invalid schedule expression ${input.ScheduleExpression}`,
    ].filter((p): p is string => p !== undefined);
    if (problems.length > 0) throw schedulerError('ValidationException', problems.join('; '));
  }

  private stored(input: CreateScheduleInput): GetScheduleOutput {
    return structuredClone({
      ...input,
      GroupName: input.GroupName ?? 'default',
      State: input.State ?? 'ENABLED',
      Arn: this.arn(input),
      CreationDate: new Date('2026-11-23T00:00:00Z'),
    });
  }
}
