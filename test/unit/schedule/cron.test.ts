import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import {
  nextFire,
  parseAwsCron,
  toCronerPattern,
  validateTimezone,
} from '../../../lib/schedule/cron.js';

const pattern = (expression: string): string => toCronerPattern(parseAwsCron(expression));

describe('parseAwsCron and toCronerPattern', () => {
  it.each([
    ['0 14 ? * WED *', '0 0 14 * * WED *'],
    ['cron(0 14 ? * WED *)', '0 0 14 * * WED *'],
    ['0 14 ? * 4 *', '0 0 14 * * WED *'],
    ['30 9 ? * 2-6 *', '0 30 9 * * MON-FRI *'],
    ['0 9 ? * 1,7 *', '0 0 9 * * SUN,SAT *'],
    ['0 14 ? * 6#3 *', '0 0 14 * * FRI#3 *'],
    ['0 14 ? * 5L *', '0 0 14 * * THUL *'],
    ['0 14 ? * L *', '0 0 14 * * SAT *'],
    ['0/15 * ? * MON *', '0 0-59/15 * * * MON *'],
    ['0 8 1/7 * ? *', '0 0 8 1-31/7 * * *'],
    ['0 14 L * ? *', '0 0 14 L * * *'],
    ['0 14 15W JAN-MAR ? 2027', '0 0 14 15W JAN-MAR * 2027'],
    ['0 14 ? * wed *', '0 0 14 * * WED *'],
  ])('%s -> %s', (aws, croner) => {
    expect(pattern(aws)).toBe(croner);
  });

  it.each([
    ['0 14 * * WED', 'it has 5 fields'],
    ['0 14 * * WED * 1', 'it has 7 fields'],
    ['0 14 * * WED *', 'both given, or both "?"'],
    ['0 14 ? * ? *', 'both given, or both "?"'],
    ['60 14 ? * WED *', 'minutes "60": 60 is outside 0-59'],
    ['0 24 ? * WED *', 'hours "24": 24 is outside 0-23'],
    ['0 14 ? * 8 *', 'day-of-week "8": 8 is outside 1-7'],
    ['0 14 0 * ? *', 'day-of-month "0": 0 is outside 1-31'],
    ['0 14 ? 13 MON *', 'month "13": 13 is outside 1-12'],
    ['0 14 ? * WED 1969', 'year "1969": 1969 is outside 1970-2199'],
    ['0 14 ? * WEDS *', 'day-of-week "WEDS" has characters it does not allow'],
    ['0 ? ? * WED *', 'hours "?" has characters it does not allow'],
    ['0 14 31 2 ? *', 'it never fires'],
    ['rate(7 days)', 'it has 2 fields'],
  ])('refuses %s (%s), showing the form', (aws, problem) => {
    let error: unknown;
    try {
      parseAwsCron(aws);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(problem);
    expect((error as Error).message).toContain('e.g. "0 14 ? * WED *"');
  });

  it('fires when EventBridge would: Wednesdays 14:00 in the time zone, and a given year only', () => {
    const from = new Date('2026-11-23T00:00:00Z');
    expect(nextFire(parseAwsCron('0 14 ? * WED *'), 'UTC', from)?.toISOString()).toBe(
      '2026-11-25T14:00:00.000Z',
    );
    expect(nextFire(parseAwsCron('0 14 ? * WED *'), 'America/New_York', from)?.toISOString()).toBe(
      '2026-11-25T19:00:00.000Z',
    );
    expect(nextFire(parseAwsCron('0 14 ? * WED 2027'), 'UTC', from)?.toISOString()).toBe(
      '2027-01-06T14:00:00.000Z',
    );
  });
});

describe('validateTimezone', () => {
  it('takes IANA names and refuses others', () => {
    expect(validateTimezone('Europe/Paris')).toBe('Europe/Paris');
    expect(() => validateTimezone('Mars/Olympus')).toThrow(/Invalid time zone "Mars\/Olympus"/);
  });
});
