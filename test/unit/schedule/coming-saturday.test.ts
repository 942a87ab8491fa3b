import { describe, expect, it } from 'vitest';
import {
  comingSaturday,
  referenceDateProblem,
  resolveReferenceDate,
} from '../../../lib/contract/reference-date.js';
import rules from '../../../lib/forecast/flusight-hub-tasks.json' with { type: 'json' };

describe('comingSaturday: the reference date the hub counts for a run on a given day', () => {
  it.each([
    ['2026-11-22T12:00:00Z', 'Sunday', '2026-11-28'],
    ['2026-11-23T12:00:00Z', 'Monday', '2026-11-28'],
    ['2026-11-24T12:00:00Z', 'Tuesday', '2026-11-28'],
    ['2026-11-25T12:00:00Z', 'Wednesday', '2026-11-28'],
    ['2026-11-26T12:00:00Z', 'Thursday', '2026-11-28'],
    ['2026-11-27T12:00:00Z', 'Friday', '2026-11-28'],
    ['2026-11-28T12:00:00Z', 'Saturday', '2026-11-28'],
  ])('%s (%s) -> %s', (now, _day, saturday) => {
    expect(comingSaturday(new Date(now))).toBe(saturday);
    expect(referenceDateProblem(saturday)).toBeUndefined();
  });

  it('counts in UTC: the edges of Saturday, across a month and a year', () => {
    expect(comingSaturday(new Date('2026-11-28T00:00:00Z'))).toBe('2026-11-28');
    expect(comingSaturday(new Date('2026-11-28T23:59:59.999Z'))).toBe('2026-11-28');
    expect(comingSaturday(new Date('2026-11-29T00:00:00Z'))).toBe('2026-12-05');
    expect(comingSaturday(new Date('2026-12-27T08:00:00Z'))).toBe('2027-01-02');
    expect(comingSaturday(new Date('2028-02-27T08:00:00Z'))).toBe('2028-03-04');
  });

  it("agrees with the hub's submission window: Sunday to Wednesday before the reference date", () => {
    const due = rules.rounds[0]!.submissions_due as { start: number; end: number };
    const DAY = 86_400_000;
    for (const offset of [due.start, due.end]) {
      const submitted = new Date(Date.parse('2026-11-28T10:00:00Z') + offset * DAY);
      expect(comingSaturday(submitted)).toBe('2026-11-28');
    }
  });

  it('resolves auto and keeps a given Saturday', () => {
    const now = new Date('2026-11-25T14:00:00Z');
    expect(resolveReferenceDate('auto', now)).toBe('2026-11-28');
    expect(resolveReferenceDate('2026-12-05', now)).toBe('2026-12-05');
  });
});
