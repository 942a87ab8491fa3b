import { describe, expect, it } from 'vitest';
import { QUANTILE_LEVELS } from '../../../lib/forecast/hub-rules.js';
import { pinballLoss, wis } from '../../../lib/forecast/wis.js';

/** Bracher et al. (2021) interval form, written independently: central intervals from level pairs plus the median. */
function intervalWis(levels: readonly number[], values: readonly number[], y: number): number {
  const at = (level: number) => values[levels.findIndex((l) => Math.abs(l - level) < 1e-12)]!;
  const lower = levels.filter((l) => l < 0.5);
  let total = 0.5 * Math.abs(y - at(0.5));
  for (const l of lower) {
    const alpha = 2 * l;
    const [lo, hi] = [at(l), at(1 - l)];
    const is = hi - lo + (2 / alpha) * Math.max(0, lo - y) + (2 / alpha) * Math.max(0, y - hi);
    total += (alpha / 2) * is;
  }
  return total / (lower.length + 0.5);
}

describe('pinballLoss', () => {
  it('weighs under- and over-prediction by the level', () => {
    expect(pinballLoss(0.9, 10, 14)).toBeCloseTo(3.6, 12);
    expect(pinballLoss(0.9, 10, 6)).toBeCloseTo(0.4, 12);
  });
});

describe('wis', () => {
  it('is the absolute error for a median alone', () => {
    expect(wis({ levels: [0.5], values: [10] }, 14)).toBe(4);
  });

  it('matches hand-computed values for one 50% interval and the median', () => {
    const f = { levels: [0.25, 0.5, 0.75], values: [8, 10, 12] };
    // y = 15: IS_0.5 = 4 + (2 / 0.5) * 3 = 16, weighted 0.25 * 16 = 4; median 0.5 * 5 = 2.5; (2.5 + 4) / 1.5
    expect(wis(f, 15)).toBeCloseTo(6.5 / 1.5, 12);
    // y = 11, inside: 0.25 * 4 + 0.5 * 1 = 1.5; / 1.5
    expect(wis(f, 11)).toBeCloseTo(1, 12);
  });

  it('equals the interval form on the 23 FluSight levels', () => {
    const values = QUANTILE_LEVELS.map((l) => Math.round(100 * l * l + 3 * l));
    for (const y of [0, 17, 42.5, 99, 500])
      expect(wis({ levels: QUANTILE_LEVELS, values }, y)).toBeCloseTo(
        intervalWis(QUANTILE_LEVELS, values, y),
        10,
      );
  });

  it('reproduces values of a separate scoringutils-style implementation (quantile k at the k-th level)', () => {
    const forecast = { levels: QUANTILE_LEVELS, values: QUANTILE_LEVELS.map((_, k) => k) };
    expect(wis(forecast, 0)).toBeCloseTo(6.758260869565217, 12);
    expect(wis(forecast, 11)).toBeCloseTo(1.497391304347826, 12);
    expect(wis(forecast, 30)).toBeCloseTo(14.758260869565218, 12);
  });

  it('rejects mismatched levels and values', () => {
    expect(() => wis({ levels: [0.5], values: [] }, 1)).toThrow(RangeError);
  });
});
