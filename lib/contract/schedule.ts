import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { runsPrefix } from './layout.js';
import { RUN_DIRS, RUNS_SEGMENT } from './run-dirs.js';

/** The key segment between an experiment id and its schedules: `{dirPrefix}{expId}/schedules/{name}/`. */
export const SCHEDULES_SEGMENT = 'schedules';

/** A schedule name, as EventBridge Scheduler allows it: `[0-9a-zA-Z-_.]+`, at most 64 characters. */
export const SCHEDULE_NAME = /^[0-9a-zA-Z_.-]{1,64}$/;

/** The rule of {@link SCHEDULE_NAME}, for messages. */
export const SCHEDULE_NAME_RULE = 'letters, digits, "-", "_" and ".", 1 to 64 characters';

/** A schedule name (zod). */
export const scheduleNameSchema = z
  .string()
  .regex(SCHEDULE_NAME, `expected a schedule name: ${SCHEDULE_NAME_RULE}`);

/** Checks a schedule name; returns it, or throws a ValidationError naming the rule. */
export function validateScheduleName(name: string): string {
  if (!SCHEDULE_NAME.test(name))
    throw new ValidationError(`Invalid schedule name "${name}": expected ${SCHEDULE_NAME_RULE}`);
  return name;
}

/**
 * Where a cloud schedule keeps the experiment snapshot its runs start from:
 * `{dirPrefix}{expId}/schedules/{name}/experiment/` (files and
 * `snapshot-manifest.json`, as a run's `experiment/`). Never under `runs/`, so
 * no run listing sees it.
 */
export function scheduleSnapshotPrefix(expId: string, name: string, dirPrefix = ''): string {
  const runs = runsPrefix(expId, dirPrefix);
  const experimentRoot = runs.slice(0, -`${RUNS_SEGMENT}/`.length);
  return `${experimentRoot}${SCHEDULES_SEGMENT}/${validateScheduleName(name)}/${RUN_DIRS.experiment}/`;
}

/** An IAM resource pattern matching every object of every schedule's snapshot. */
export function anyScheduleSnapshotKey(): string {
  return `*/${SCHEDULES_SEGMENT}/*/${RUN_DIRS.experiment}/*`;
}

/**
 * The execution input's `source` of a run a schedule or a data-arrival trigger
 * started: PrepareRun copies the schedule's snapshot into the new run's
 * `experiment/` (no CLI is there to upload one).
 */
export const scheduleSourceSchema = z
  .object({
    schedule: scheduleNameSchema,
    /** The object whose arrival started the run (a data-arrival trigger), for the record. */
    trigger: z.string().min(1).optional(),
  })
  .strict();

/** A scheduled run's source. */
export type ScheduleSource = z.infer<typeof scheduleSourceSchema>;

/** Who started a scheduled run, as a run record says it: `schedule:<name>`. */
export const scheduleStartedBy = (name: string): string => `schedule:${name}`;
