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

/** `--reference-date auto`: the coming Saturday, resolved when a scheduled run starts. */
export const AUTO_REFERENCE_DATE = 'auto';

/**
 * The hub's reference date for a run started at `now`: the Saturday of its
 * week (Sunday to Saturday) in UTC, i.e. `now`'s date when it is a Saturday,
 * else the next Saturday. FluSight's `tasks.json` takes submissions from
 * `reference_date - 6` (Sunday) to `reference_date - 3` (Wednesday), so a run
 * made on any day of that week forecasts for this Saturday.
 */
export function comingSaturday(now: Date): string {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return isoDay(day + ((6 - now.getUTCDay()) % 7) * DAY_MS);
}

/** A reference date as given (`auto` or a Saturday), made concrete for a run started at `now`. */
export function resolveReferenceDate(value: string, now: Date): string {
  return value === AUTO_REFERENCE_DATE ? comingSaturday(now) : value;
}
