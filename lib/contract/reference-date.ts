const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;
const DAY_MS = 86_400_000;

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Why a value is not a valid reference date (`REFERENCE_DATE`,
 * `--reference-date`): a real calendar date `YYYY-MM-DD` that is a Saturday.
 * Undefined when it is one; otherwise what was expected, naming the weekday
 * and the Saturdays on either side of a date that is not a Saturday.
 */
export function referenceDateProblem(value: string): string | undefined {
  const ms = ISO_DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || isoDay(ms) !== value)
    return 'expected a real calendar date YYYY-MM-DD that is a Saturday';
  const weekday = new Date(ms).getUTCDay();
  if (weekday === 6) return undefined;
  const before = ms - (weekday + 1) * DAY_MS;
  return `it is a ${WEEKDAYS[weekday]}: expected a Saturday (${isoDay(before)} or ${isoDay(before + 7 * DAY_MS)})`;
}
