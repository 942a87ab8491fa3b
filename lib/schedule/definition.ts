import { createHash } from 'node:crypto';
import { z } from 'zod';
import { validateExpId } from '../contract/ids.js';
import {
  AUTO_REFERENCE_DATE,
  referenceDateProblem,
  resolveReferenceDate,
} from '../contract/reference-date.js';
import { SCHEDULE_NAME, scheduleNameSchema } from '../contract/schedule.js';
import { parseAwsCron, validateTimezone } from './cron.js';

/** Whether a schedule fires: EventBridge Scheduler's `State`. */
export const SCHEDULE_STATES = ['ENABLED', 'DISABLED'] as const;
/** `ENABLED` or `DISABLED` (paused). */
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

/** Default time zone of a schedule's cron expression. */
export const DEFAULT_TIMEZONE = 'UTC';

/** `--reference-date`: `auto` (the coming Saturday when the run starts) or a Saturday. */
export const scheduleReferenceDate = z.string().superRefine((value, ctx) => {
  const problem = value === AUTO_REFERENCE_DATE ? undefined : referenceDateProblem(value);
  if (problem !== undefined)
    ctx.addIssue({ code: 'custom', message: `expected auto or a Saturday: ${problem}` });
});

/** A string passed through a check that returns it (typed) or throws, keeping the check's message. */
const via = <T>(check: (value: string) => T) =>
  z.string().transform((value, ctx): T => {
    try {
      return check(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/**
 * One schedule, the same locally (`<local dir>/schedules.yaml`) and in the
 * cloud (an EventBridge Scheduler schedule whose target input names the run):
 * which experiment runs, when (an EventBridge cron expression in a time zone),
 * with which reference date, and whether it is paused.
 */
export const scheduleDefinitionSchema = z
  .object({
    name: scheduleNameSchema,
    expId: via(validateExpId),
    /** EventBridge's 6-field form, e.g. `0 14 ? * WED *`. */
    cron: via(parseAwsCron),
    timezone: via(validateTimezone).default(DEFAULT_TIMEZONE),
    referenceDate: scheduleReferenceDate.optional(),
    outputConfigFile: z.string().min(1).optional(),
    state: z.enum(SCHEDULE_STATES).default('ENABLED'),
  })
  .strict();

/** A validated schedule. */
export type ScheduleDefinition = z.infer<typeof scheduleDefinitionSchema>;

const MAX_NAME = 64;

/**
 * The schedule name of an experiment when `--name` is not given: its id with
 * `/` as `-` (`flu/2026` -> `flu-2026`); an id longer than 64 characters keeps
 * its first 55 and a hash of the whole.
 */
export function scheduleNameFor(expId: string): string {
  const name = validateExpId(expId).replace(/\//g, '-');
  if (SCHEDULE_NAME.test(name)) return name;
  const hash = createHash('sha256').update(expId).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
}

/**
 * The overrides a schedule's experiment is validated with: its output config
 * and its reference date (`auto` as the coming Saturday from `now`).
 */
export function validationOverrides(
  definition: ScheduleDefinition,
  now: Date,
): { outputConfigFile?: string | undefined; referenceDate?: string | undefined } {
  return {
    outputConfigFile: definition.outputConfigFile,
    referenceDate:
      definition.referenceDate === undefined
        ? undefined
        : resolveReferenceDate(definition.referenceDate, now),
  };
}
