const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of an ISO `YYYY-MM-DD` date; undefined when it is not a real calendar date. */
export function dayNumber(date: string): number | undefined {
  const match = ISO_DATE.exec(date);
  if (match === null) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return isoDate(ms / DAY_MS) === date ? ms / DAY_MS : undefined;
}

/** ISO `YYYY-MM-DD` of a day number (fractions are dropped). */
export function isoDate(day: number): string {
  return new Date(Math.floor(day) * DAY_MS).toISOString().slice(0, 10);
}

/** ISO `YYYY-MM-DDTHH:MM:SS` of a fractional day number, rounded to the second. */
export function isoDateTime(day: number): string {
  return new Date(Math.round(day * 86_400) * 1000).toISOString().slice(0, 19);
}

/** The Saturday on or after a day (day 0, 1970-01-01, was a Thursday). */
export function saturdayOnOrAfter(day: number): number {
  const weekday = (((Math.floor(day) + 4) % 7) + 7) % 7; // 0 = Sunday .. 6 = Saturday
  return Math.floor(day) + 6 - weekday;
}
