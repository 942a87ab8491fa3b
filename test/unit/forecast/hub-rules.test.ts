import { describe, expect, it } from 'vitest';
import { FLUSIGHT_QUANTILES } from '../../../lib/engine/quantiles.js';
import { LOCATIONS } from '../../../lib/experiment/locations.js';
import {
  HUB_COLUMNS,
  INC_HOSP_TARGET,
  LOCATION_CODES,
  QUANTILE_LEVELS,
  RATE_CHANGE_CATEGORIES,
  RATE_CHANGE_TARGET,
  TARGET_RULES,
  rateChangeCategory,
} from '../../../lib/forecast/hub-rules.js';

describe('hub rules from tasks.json', () => {
  it('has the 23 quantile levels the engine ships', () => {
    expect(QUANTILE_LEVELS).toEqual(FLUSIGHT_QUANTILES);
  });

  it('lists the 53 locations of the population table, as FIPS codes and "US"', () => {
    expect(LOCATION_CODES).toHaveLength(53);
    expect([...LOCATION_CODES].sort()).toEqual(LOCATIONS.map((l) => l.fips).sort());
    expect(LOCATION_CODES).toContain('72');
    expect(LOCATION_CODES).not.toContain('03');
  });

  it('allows horizons -1..3 and the hub output types per target', () => {
    const inc = TARGET_RULES.get(INC_HOSP_TARGET)!;
    expect(inc.horizons).toEqual([-1, 0, 1, 2, 3]);
    expect([...inc.outputTypes.keys()].sort()).toEqual(['quantile', 'sample']);
    expect(inc.outputTypes.get('quantile')).toMatchObject({
      required: true,
      min: 0,
      max: undefined,
      integer: false,
    });
    expect(inc.outputTypes.get('sample')?.sample).toEqual({ maxIdLength: 15, min: 100, max: 100 });
    const change = TARGET_RULES.get(RATE_CHANGE_TARGET)!;
    expect(change.outputTypes.get('pmf')).toMatchObject({
      ids: [...RATE_CHANGE_CATEGORIES],
      min: 0,
      max: 1,
    });
    expect(TARGET_RULES.get('peak inc flu hosp')?.horizons).toBeUndefined();
    expect(TARGET_RULES.get('peak week inc flu hosp')?.dateValued).toBe(true);
  });

  it('writes the README column order', () => {
    expect(HUB_COLUMNS.join(',')).toBe(
      'reference_date,target,horizon,target_end_date,location,output_type,output_type_id,value',
    );
  });
});

describe('rateChangeCategory (README Appendix 1)', () => {
  // 10 million people: 1 admission per 100k is 100 admissions.
  const pop = 10_000_000;

  it('horizon 0: stable below 0.3/100k, large from 1.7/100k', () => {
    expect(rateChangeCategory(29, pop, 0)).toBe('stable');
    expect(rateChangeCategory(30, pop, 0)).toBe('increase');
    expect(rateChangeCategory(169, pop, 0)).toBe('increase');
    expect(rateChangeCategory(170, pop, 0)).toBe('large_increase');
    expect(rateChangeCategory(-29, pop, 0)).toBe('stable');
    expect(rateChangeCategory(-30, pop, 0)).toBe('decrease');
    expect(rateChangeCategory(-170, pop, 0)).toBe('large_decrease');
    expect(rateChangeCategory(0, pop, 0)).toBe('stable');
  });

  it('uses 0.5/3, 0.7/4 and 1/5 per 100k at horizons 1, 2, 3', () => {
    expect([49, 50, 299, 300].map((c) => rateChangeCategory(c, pop, 1))).toEqual([
      'stable',
      'increase',
      'increase',
      'large_increase',
    ]);
    expect([69, 70, 399, 400].map((c) => rateChangeCategory(-c, pop, 2))).toEqual([
      'stable',
      'decrease',
      'decrease',
      'large_decrease',
    ]);
    expect([99, 100, 499, 500].map((c) => rateChangeCategory(c, pop, 3))).toEqual([
      'stable',
      'increase',
      'increase',
      'large_increase',
    ]);
  });

  it('calls any change of fewer than 10 admissions stable, whatever the rate', () => {
    // Wyoming-sized: 9 admissions are 1.5/100k (an increase by rate), 10 are 1.7/100k.
    const small = 587_618;
    expect(rateChangeCategory(9, small, 0)).toBe('stable');
    expect(rateChangeCategory(-9, small, 3)).toBe('stable');
    expect(rateChangeCategory(10, small, 0)).toBe('large_increase');
  });

  it('has no thresholds for horizon -1', () => {
    expect(() => rateChangeCategory(100, pop, -1)).toThrow(/horizon -1/);
  });
});
