import { z } from 'zod';
import { isValidExpId } from '../contract/ids.js';
import { AUTO_REFERENCE_DATE, referenceDateProblem } from '../contract/reference-date.js';
import { RUNS_SEGMENT } from '../contract/run-dirs.js';
import { SCHEDULES_SEGMENT, scheduleNameSchema } from '../contract/schedule.js';

/** Characters of a trigger's key prefix and suffix: no EventBridge wildcard (`*`), no whitespace. */
const KEY_PART = /^[A-Za-z0-9!_.'()/-]*$/;

/**
 * A data-arrival trigger: a new object whose key starts with `prefix` (and
 * ends with `suffix`) in the data bucket starts a run of the schedule
 * `schedule`, from that schedule's experiment snapshot (`epycloud schedule
 * create --name <schedule>` uploads it; pause the schedule to run on data
 * arrival only).
 */
export const dataTriggerSchema = z
  .object({
    /** Key prefix in the data bucket, ending in "/", e.g. `surveillance/nhsn/`. */
    prefix: z
      .string()
      .regex(KEY_PART, 'expected letters, digits and !_.\'()/- (no "*")')
      .refine((p) => p.endsWith('/') && !p.startsWith('/') && p.length > 1, {
        message: 'expected a key prefix such as surveillance/nhsn/ (not "/", ending in "/")',
      }),
    /** Only keys ending with this start a run (e.g. `.csv`, or a `_READY` marker written last); default any. */
    suffix: z
      .string()
      .regex(KEY_PART, 'expected letters, digits and !_.\'()/- (no "*")')
      .optional(),
    /** The schedule whose snapshot the run starts from. */
    schedule: scheduleNameSchema,
    /** The schedule's experiment id. */
    expId: z.string().refine(isValidExpId, 'expected an experiment id such as flu/2026'),
    /** Storage prefix of the experiment's runs, as the CLI's runs use it (default none). */
    dirPrefix: z.string().default(''),
    /** `auto` (the coming Saturday when the run starts, the default) or a Saturday. */
    referenceDate: z
      .string()
      .refine(
        (d) => d === AUTO_REFERENCE_DATE || referenceDateProblem(d) === undefined,
        'expected auto or a Saturday YYYY-MM-DD',
      )
      .default(AUTO_REFERENCE_DATE),
    outputConfigFile: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((trigger, ctx) => {
    // A run writes objects into the bucket: a prefix that holds any run's or schedule's keys
    // would start a run for each of them, and those runs would start more.
    const segments = trigger.prefix.split('/');
    const own = `${trigger.dirPrefix}${trigger.expId}/`;
    if (
      segments.some((s) => s === RUNS_SEGMENT || s === SCHEDULES_SEGMENT) ||
      own.startsWith(trigger.prefix) ||
      trigger.prefix.startsWith(own)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['prefix'],
        message: `"${trigger.prefix}" would hold the keys runs write (${own}${RUNS_SEGMENT}/...): every object a run writes would start another run. Use a prefix of its own, e.g. surveillance/`,
      });
  });

/** A validated data-arrival trigger. */
export type DataTrigger = z.infer<typeof dataTriggerSchema>;

/**
 * The deployment config's schedule fields, spread into the environment schema
 * (`lib/config/schema.ts`): `dataTriggers`, none by default.
 */
export const scheduleConfigFields = {
  dataTriggers: z.array(dataTriggerSchema).max(20).default([]),
};

/** The parsed schedule fields of a deployment config. */
export interface ScheduleConfig {
  readonly dataTriggers: readonly DataTrigger[];
}
