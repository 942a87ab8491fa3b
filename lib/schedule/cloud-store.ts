import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  paginateListSchedules,
  UpdateScheduleCommand,
  type GetScheduleOutput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { checkOwnImageStartable } from '../contract/image.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { RunLayout } from '../contract/layout.js';
import { scheduleSnapshotPrefix } from '../contract/schedule.js';
import type { Deployment } from '../cloud/deployment.js';
import { ConfigError, NotFoundError, ValidationError } from '../errors.js';
import type { ExperimentSource } from '../host/experiment-source.js';
import { S3Driver, Storage } from '../storage/index.js';
import { definitionOf, scheduleRequest, stateUpdate, type ScheduleTarget } from './aws-schedule.js';
import { validationOverrides, type ScheduleDefinition } from './definition.js';
import { RebasedDriver } from './rebased-driver.js';
import type { ScheduleStore } from './types.js';

/** What the cloud schedules need: the Scheduler and S3 clients, the deployment, the experiment source. */
export interface CloudScheduleDeps {
  readonly scheduler: SchedulerClient;
  readonly s3: S3Client;
  readonly deployment: Deployment;
  readonly experiments: ExperimentSource;
  readonly dirPrefix?: string | undefined;
  readonly now?: () => Date;
}

/** A run id that only names the staging layout the snapshot writer addresses; nothing is written under it. */
const SNAPSHOT_STAGING_RUN = 'schedule-snapshot';

function targetOf(deps: CloudScheduleDeps): ScheduleTarget {
  const { schedules } = deps.deployment;
  if (schedules === undefined)
    throw new ConfigError(
      'The deployment has no schedule group (stack outputs ScheduleGroupName and SchedulerRoleArn): deploy this version with `npx cdk deploy --all`',
    );
  return {
    groupName: schedules.groupName,
    roleArn: schedules.roleArn,
    stateMachineArn: deps.deployment.stateMachineArn,
    dirPrefix: deps.dirPrefix ?? '',
  };
}

/**
 * Writes the experiment folder's snapshot (files, then its manifest) under the
 * schedule's prefix, where PrepareRun copies it from into each run.
 */
async function uploadSnapshot(
  deps: CloudScheduleDeps,
  definition: ScheduleDefinition,
  experimentDir: string,
): Promise<void> {
  const dirPrefix = deps.dirPrefix ?? '';
  const staging = new RunLayout(definition.expId, SNAPSHOT_STAGING_RUN, dirPrefix);
  const to = scheduleSnapshotPrefix(definition.expId, definition.name, dirPrefix);
  const s3 = new S3Driver(deps.s3, deps.deployment.bucketName);
  const storage = new Storage(new RebasedDriver(s3, staging.experimentPrefixKey, to));
  await deps.experiments.snapshot(experimentDir, storage, staging);
}

/** Deletes every object of the schedule's snapshot. */
async function deleteSnapshot(
  deps: CloudScheduleDeps,
  definition: ScheduleDefinition,
): Promise<void> {
  const storage = new Storage(new S3Driver(deps.s3, deps.deployment.bucketName));
  const prefix = scheduleSnapshotPrefix(definition.expId, definition.name, deps.dirPrefix ?? '');
  for (const key of await storage.list(prefix)) await storage.delete(key);
}

const isNotFound = (error: unknown): boolean =>
  (error as Error).name === 'ResourceNotFoundException';

/**
 * The deployment's schedules in EventBridge Scheduler (its schedule group):
 * `create` validates the experiment, uploads its snapshot under the schedule's
 * prefix and creates the schedule, targeting the state machine.
 */
export function cloudScheduleStore(deps: CloudScheduleDeps): ScheduleStore {
  const target = targetOf(deps);
  const location = `EventBridge Scheduler group ${target.groupName}`;
  const get = async (name: string): Promise<GetScheduleOutput> => {
    try {
      return await deps.scheduler.send(
        new GetScheduleCommand({ Name: name, GroupName: target.groupName }),
      );
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError(`schedule ${name}`, location);
      throw error;
    }
  };
  const getDefinition = async (name: string) => {
    const schedule = await get(name);
    const definition = definitionOf(schedule);
    if (definition === undefined)
      throw new ValidationError(`Schedule "${name}" in ${location} was not made by epycloud`);
    return { schedule, definition };
  };
  const exists = (name: string) =>
    get(name).then(
      () => true,
      (error: unknown) => (error instanceof NotFoundError ? false : Promise.reject(error)),
    );
  return {
    location,
    create: async ({ definition, experimentDir }) => {
      if (await exists(definition.name))
        throw new ValidationError(
          `Schedule "${definition.name}" exists in ${location}: delete it first, or pass another --name`,
        );
      const now = deps.now?.() ?? new Date();
      const { stageImage } = await deps.experiments.validate(
        experimentDir,
        validationOverrides(definition, now),
      );
      if (stageImage !== undefined)
        checkOwnImageStartable(stageImage.image, deps.deployment.repositoryUri);
      await uploadSnapshot(deps, definition, experimentDir);
      try {
        await deps.scheduler.send(
          new CreateScheduleCommand(scheduleRequest(definition, target, stageImage)),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConflictException') throw error;
        throw new ValidationError(
          `Schedule "${definition.name}" was created meanwhile in ${location}: delete it first, or pass another --name`,
        );
      }
      return definition;
    },
    list: async () => {
      const names: string[] = [];
      for await (const page of paginateListSchedules(
        { client: deps.scheduler },
        { GroupName: target.groupName },
      ))
        for (const summary of page.Schedules ?? [])
          if (summary.Name !== undefined) names.push(summary.Name);
      const schedules = await Promise.all(names.sort().map((name) => get(name)));
      return schedules.flatMap((s) => definitionOf(s) ?? []);
    },
    delete: async (name) => {
      const { definition } = await getDefinition(name);
      await deps.scheduler.send(
        new DeleteScheduleCommand({ Name: name, GroupName: target.groupName }),
      );
      await deleteSnapshot(deps, definition);
      return definition;
    },
    setState: async (name, state) => {
      const { schedule, definition } = await getDefinition(name);
      await deps.scheduler.send(new UpdateScheduleCommand(stateUpdate(schedule, state)));
      return { ...definition, state };
    },
  };
}
