import { describe, expect, it } from 'vitest';
import { dayNumber, saturdayOnOrAfter, isoDate } from '../../../lib/engine/dates.js';
import { aggregate, binSteps } from '../../../lib/engine/resample.js';

const day = (d: string) => dayNumber(d)!;

describe('resampling', () => {
  it('bins daily steps into weeks ending Saturday, keeping partial weeks', () => {
    // 2024-01-01 is a Monday; 2024-01-06 and 2024-01-13 are Saturdays.
    const binning = binSteps(day('2024-01-01'), 1, 10, 'weekly');
    expect(binning.labels).toEqual(['2024-01-06', '2024-01-13']);
    expect(Array.from(binning.binOf)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    const series = Float64Array.from({ length: 10 }, (_, t) => t + 1);
    expect(Array.from(aggregate(series, 1, binning, 'sum'))).toEqual([21, 34]);
    expect(Array.from(aggregate(series, 1, binning, 'last'))).toEqual([6, 10]);
  });

  it('labels a week by its Saturday even when the run starts on one', () => {
    expect(isoDate(saturdayOnOrAfter(day('2025-10-04')))).toBe('2025-10-04');
    expect(isoDate(saturdayOnOrAfter(day('2025-10-05')))).toBe('2025-10-11');
    expect(binSteps(day('2025-10-04'), 1, 8, 'weekly').labels).toEqual([
      '2025-10-04',
      '2025-10-11',
    ]);
    expect(binSteps(day('2025-10-04'), 1, 9, 'weekly').labels).toEqual([
      '2025-10-04',
      '2025-10-11',
      '2025-10-18',
    ]);
  });

  it('bins sub-daily steps by day and keeps every step with none', () => {
    const daily = binSteps(day('2024-03-01'), 0.5, 5, 'daily');
    expect(daily.labels).toEqual(['2024-03-01', '2024-03-02', '2024-03-03']);
    const series = Float64Array.from([1, 2, 3, 4, 5, 10, 20, 30, 40, 50]); // 5 steps x width 2
    expect(Array.from(aggregate(series, 2, daily, 'sum'))).toEqual([4, 6, 25, 40, 40, 50]);
    expect(Array.from(aggregate(series, 2, daily, 'last'))).toEqual([3, 4, 20, 30, 40, 50]);
    expect(binSteps(day('2024-03-01'), 0.5, 3, 'none').labels).toEqual([
      '2024-03-01T00:00:00',
      '2024-03-01T12:00:00',
      '2024-03-02T00:00:00',
    ]);
    expect(binSteps(day('2024-03-01'), 1, 2, 'none').labels).toEqual(['2024-03-01', '2024-03-02']);
  });

  it('puts a step that starts on a day boundary into that day despite float steps', () => {
    expect(90 * 0.7).toBeLessThan(63); // 62.99999999999999
    const binning = binSteps(day('1970-01-01'), 0.7, 91, 'daily');
    expect(binning.labels.at(-1)).toBe('1970-03-05'); // day 63
    expect(binning.binOf[90]).toBe(binning.labels.length - 1);
    expect(binning.binOf[89]).toBe(binning.labels.length - 2);
  });

  it('rejects dates that are not on the calendar', () => {
    expect(dayNumber('2024-02-30')).toBeUndefined();
    expect(dayNumber('2024-2-3')).toBeUndefined();
    expect(dayNumber('2024-02-29')).toBe(19782);
  });
});
