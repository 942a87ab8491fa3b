import { describe, expect, it } from 'vitest';
import { FLUSIGHT_QUANTILES, quantiles } from '../../../lib/engine/quantiles.js';

describe('quantiles (type 7, numpy default)', () => {
  it('interpolates linearly between order statistics like numpy.quantile', () => {
    // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.9, 1]) == [1, 1.75, 2.5, 3.7, 4]
    const q = quantiles([4, 1, 3, 2], [0, 0.25, 0.5, 0.9, 1]);
    [1, 1.75, 2.5, 3.7, 4].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 12));
    // numpy.quantile([10, 20, 30, 40, 50, 60, 70], 0.025) == 11.5
    expect(quantiles([70, 10, 20, 30, 40, 50, 60], [0.025])[0]).toBeCloseTo(11.5, 12);
    expect(quantiles([5], [0.01, 0.99])).toEqual([5, 5]);
  });

  it('ships the 23 FluSight levels', () => {
    expect(FLUSIGHT_QUANTILES).toHaveLength(23);
    expect(FLUSIGHT_QUANTILES[0]).toBe(0.01);
    expect(FLUSIGHT_QUANTILES[22]).toBe(0.99);
    expect(FLUSIGHT_QUANTILES).toContain(0.975);
  });
});
