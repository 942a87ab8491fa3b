import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dayNumber, isoDate } from '../../../lib/engine/dates.js';
import { flusightBaseline } from '../../../lib/forecast/baseline.js';
import { QUANTILE_LEVELS } from '../../../lib/forecast/hub-rules.js';
import { parseTargetData, type TruthPoint } from '../../../lib/forecast/target-data.js';

/** Weekly series ending on `last` (a Saturday), oldest first. */
function weekly(last: string, values: readonly number[]): TruthPoint[] {
  const end = dayNumber(last)!;
  return values.map((value, i) => ({ date: isoDate(end - 7 * (values.length - 1 - i)), value }));
}

const read = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('flusightBaseline', () => {
  it('reproduces the hub FluSight-baseline of 2026-01-10 at horizons -1 and 0 (deterministic there)', () => {
    // Truth as archived on 2026-01-03 (what the hub baseline saw) and its published quantiles, CA and WY.
    const truth = parseTargetData(
      'archive',
      read('target-hospital-admissions_2026-01-03-loc06-56.csv'),
    );
    expect(truth.problems).toEqual([]);
    const published = read('2026-01-10-FluSight-baseline-loc06-56.csv')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    for (const location of ['06', '56']) {
      const ours = flusightBaseline(truth.series.get(location)!, '2026-01-10', { nsims: 100_000 });
      for (const horizon of [-1, 0]) {
        const theirs = published
          .filter((c) => c[4] === location && c[1] === String(horizon))
          .map((c) => Number(c[7]));
        expect(theirs).toHaveLength(23);
        expect(ours.get(horizon)!.values).toEqual(theirs);
      }
    }
  });

  it('is flat at the last value with symmetric one-week changes around it', () => {
    // Changes alternate +20 / -20: the symmetric distribution is +-20, each with mass 1/2.
    const series = weekly(
      '2025-01-11',
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 500 : 520)),
    );
    const f = flusightBaseline(series, '2025-01-18', { nsims: 1001 });
    expect(f.get(-1)!.values.every((v) => v === 520)).toBe(true);
    const h0 = f.get(0)!.values;
    expect(h0[0]).toBe(500);
    expect(h0[QUANTILE_LEVELS.indexOf(0.5)]).toBe(520);
    expect(h0[22]).toBe(540);
    for (const h of [1, 2, 3]) expect(f.get(h)!.values[QUANTILE_LEVELS.indexOf(0.5)]).toBe(520);
  });

  it('widens with the horizon, stays >= 0 and non-decreasing, and repeats for a seed', () => {
    const series = weekly(
      '2025-01-11',
      Array.from({ length: 60 }, (_, i) => Math.round(50 + 40 * Math.sin(i / 3))),
    );
    const a = flusightBaseline(series, '2025-01-18', { nsims: 5000, seed: [7] });
    const width = (h: number) => a.get(h)!.values[21]! - a.get(h)!.values[1]!;
    expect(width(1)).toBeGreaterThan(width(0));
    expect(width(3)).toBeGreaterThan(width(1));
    for (const { values } of a.values()) {
      expect(values.every((v, i) => v >= 0 && (i === 0 || v >= values[i - 1]!))).toBe(true);
    }
    expect(flusightBaseline(series, '2025-01-18', { nsims: 5000, seed: [7] })).toEqual(a);
  });

  it('learns only from the training window', () => {
    // Wild swings before 2022-08-06 and inside the 2024 pause, flat elsewhere: no spread at all.
    const values = Array.from({ length: 200 }, () => 100);
    const series = weekly('2025-03-01', values).map((p, i) =>
      p.date < '2022-08-06' || (p.date >= '2024-05-04' && p.date <= '2024-11-02')
        ? { ...p, value: 100 + 90 * (i % 2) }
        : p,
    );
    const f = flusightBaseline(series, '2025-03-08', { nsims: 1000 });
    for (const h of [0, 1, 2, 3]) expect(new Set(f.get(h)!.values)).toEqual(new Set([100]));
    const wide = flusightBaseline(series, '2025-03-08', {
      nsims: 1000,
      trainingStart: '2020-01-04',
      excluded: [],
    });
    expect(wide.get(0)!.values[0]).toBeLessThan(100);
  });

  it('needs the week ending reference_date - 7', () => {
    expect(() => flusightBaseline(weekly('2025-01-04', [1, 2, 3]), '2025-01-18')).toThrow(
      /week ending 2025-01-11, the last observed one is 2025-01-04/,
    );
  });
});
