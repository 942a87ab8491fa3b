import { describe, expect, it } from 'vitest';
import { quantiles } from '../../../lib/engine/quantiles.js';
import { FAN_LEVELS, fanOfSeries, fanPoint, type FanPoint } from '../../../lib/figures/bands.js';

/** The fan {@link fanPoint} should give: lib/engine's type 7 quantiles of `samples`. */
function expectedFan(panel: string, date: string, samples: readonly number[]): FanPoint {
  const [q025, q10, q25, q50, q75, q90, q975] = quantiles(samples, FAN_LEVELS);
  return {
    panel,
    date,
    q025: q025!,
    q10: q10!,
    q25: q25!,
    q50: q50!,
    q75: q75!,
    q90: q90!,
    q975: q975!,
  };
}

describe('fanPoint', () => {
  it('gives the type 7 quantiles of unsorted samples at the fan levels', () => {
    const point = fanPoint('CA', '2024-01-06', Float64Array.from([5, 1, 4, 2, 3]));
    // h = (n - 1) * level over 1..5: 1 + 4 * level
    const byHand = [1.1, 1.4, 2, 3, 4, 4.6, 4.9];
    const levels = [point.q025, point.q10, point.q25, point.q50, point.q75, point.q90, point.q975];
    levels.forEach((q, i) => expect(q).toBeCloseTo(byHand[i]!, 12));
    expect(point).toEqual(expectedFan('CA', '2024-01-06', [5, 1, 4, 2, 3]));
  });

  it('interpolates between order statistics of an even count', () => {
    const samples = [10, 0, 30, 20];
    const point = fanPoint('NY', '2024-01-13', Float64Array.from(samples));
    expect(point.q50).toBe(15);
    expect(point.q25).toBeCloseTo(7.5, 12);
    expect(point).toEqual(expectedFan('NY', '2024-01-13', samples));
  });

  it('gives every level the value of a single sample', () => {
    const point = fanPoint('TX', '2024-01-20', Float64Array.from([7]));
    expect(new Set(Object.values(point).slice(2))).toEqual(new Set([7]));
  });
});

describe('fanOfSeries', () => {
  it('reads a flat series as [sim][date]: one fan per date over the simulations', () => {
    const dates = ['2024-01-06', '2024-01-13'];
    // sim 0: 1, 100; sim 1: 2, 300; sim 2: 6, 200
    const series = [1, 100, 2, 300, 6, 200];
    expect(fanOfSeries('CA', dates, series, 3)).toEqual([
      expectedFan('CA', dates[0]!, [1, 2, 6]),
      expectedFan('CA', dates[1]!, [100, 300, 200]),
    ]);
  });

  it('uses only the first nSims simulations and gives nothing without dates', () => {
    const fans = fanOfSeries('CA', ['2024-01-06'], [4, 8, 1000], 2);
    expect(fans).toEqual([expectedFan('CA', '2024-01-06', [4, 8])]);
    expect(fanOfSeries('CA', [], [], 3)).toEqual([]);
  });
});
