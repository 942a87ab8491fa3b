import { Cron } from 'croner';
import { ValidationError } from '../errors.js';

/** The six fields of an EventBridge cron expression, in order, with their ranges and characters. */
const FIELDS = [
  { name: 'minutes', min: 0, max: 59, chars: /^[\d,*/-]+$/ },
  { name: 'hours', min: 0, max: 23, chars: /^[\d,*/-]+$/ },
  { name: 'day-of-month', min: 1, max: 31, chars: /^([\d,*/?-]|L|W)+$/ },
  {
    name: 'month',
    min: 1,
    max: 12,
    chars: /^([\d,*/-]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/,
  },
  { name: 'day-of-week', min: 1, max: 7, chars: /^([\d,*?#-]|L|SUN|MON|TUE|WED|THU|FRI|SAT)+$/ },
  { name: 'year', min: 1970, max: 2199, chars: /^[\d,*/-]+$/ },
] as const;

/** Day names by EventBridge's day-of-week number (1 = Sunday). */
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** How to write a cron expression, for messages. */
const CRON_HELP =
  'expected an EventBridge cron expression of 6 fields, "minutes hours day-of-month month day-of-week year", ' +
  'with "?" in exactly one of day-of-month and day-of-week, e.g. "0 14 ? * WED *" (Wednesdays 14:00)';

/** A cron expression as EventBridge Scheduler takes it, checked: `0 14 ? * WED *`. */
export type AwsCron = string & { readonly __brand: 'AwsCron' };

/** Numbers of a field that are values (not a step after `/`, not an nth after `#`). */
const valuesOf = (field: string): number[] =>
  [...field.matchAll(/(?<![/#\d])\d+/g)].map((m) => Number(m[0]));

/** Why one field is refused, or undefined. */
function fieldProblem(field: string, spec: (typeof FIELDS)[number]): string | undefined {
  if (!spec.chars.test(field)) return `${spec.name} "${field}" has characters it does not allow`;
  const out = valuesOf(field).find((v) => v < spec.min || v > spec.max);
  return out === undefined
    ? undefined
    : `${spec.name} "${field}": ${out} is outside ${spec.min}-${spec.max}`;
}

/**
 * Checks a cron expression as EventBridge Scheduler reads it (`cron(...)`
 * around it is accepted and dropped): 6 fields, each within its range and
 * characters, `?` in exactly one of day-of-month and day-of-week, and a time
 * it fires at. A ValidationError names the bad field and shows the form.
 */
export function parseAwsCron(expression: string): AwsCron {
  const text = expression
    .trim()
    .replace(/^cron\((.*)\)$/s, '$1')
    .trim()
    .toUpperCase();
  const fields = text.split(/\s+/);
  const bad = (problem: string): ValidationError =>
    new ValidationError(`Invalid cron expression "${expression}": ${problem}; ${CRON_HELP}`);
  if (fields.length !== FIELDS.length) throw bad(`it has ${fields.length} fields`);
  const problem = FIELDS.map((spec, i) => fieldProblem(fields[i]!, spec)).find(Boolean);
  if (problem !== undefined) throw bad(problem);
  if ((fields[2] === '?') === (fields[4] === '?'))
    throw bad('day-of-month and day-of-week both given, or both "?"');
  const cron = fields.join(' ') as AwsCron;
  let job: Cron;
  try {
    job = new Cron(toCronerPattern(cron), { mode: '7-part' });
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (job.nextRun() === null) throw bad('it never fires');
  return cron;
}

/** `a/step` (EventBridge's "from a, every step") as croner writes it: `a-max/step`. */
const startStep = (field: string, max: number): string =>
  field.replace(/(^|,)(\d+)\/(\d+)/g, `$1$2-${max}/$3`);

/** EventBridge's day-of-week (1 = SUN .. 7 = SAT, `L` = the last day of the week) with day names, as croner reads them. */
const dayOfWeek = (field: string): string =>
  field === 'L' ? 'SAT' : field.replace(/(?<![#\d])[1-7](?!\d)/g, (d) => DAY_NAMES[Number(d) - 1]!);

/**
 * The croner pattern (7 fields, seconds first, day names) of a checked
 * EventBridge cron expression: seconds 0, `?` as `*`, `a/step` as
 * `a-max/step`, day-of-week numbers as names (EventBridge counts 1 = Sunday,
 * croner 0 = Sunday), the year field kept.
 */
export function toCronerPattern(cron: AwsCron): string {
  const fields = cron.split(' ').map((field, i) => {
    const spec = FIELDS[i]!;
    const plain = startStep(field === '?' ? '*' : field, spec.max);
    return spec.name === 'day-of-week' ? dayOfWeek(plain) : plain;
  });
  return ['0', ...fields].join(' ');
}

/** Checks an IANA time zone name (`UTC`, `America/New_York`); returns it, or throws a ValidationError. */
export function validateTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return timezone;
  } catch {
    throw new ValidationError(
      `Invalid time zone "${timezone}": expected an IANA time zone name such as UTC or America/New_York`,
    );
  }
}

/** The next time a checked cron expression fires after `from`, in its time zone; null when never. */
export function nextFire(cron: AwsCron, timezone: string, from: Date): Date | null {
  return new Cron(toCronerPattern(cron), { mode: '7-part', timezone }).nextRun(from);
}
