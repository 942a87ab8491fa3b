import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/engine/rng.js';
import { ValidationError } from '../../../lib/errors.js';
import { checkHubFile } from '../../../lib/forecast/hub-check.js';
import {
  hubCsv,
  hubFileName,
  hubRows,
  incidenceQuantiles,
  rateChangePmf,
  type LocationForecast,
} from '../../../lib/forecast/hub-file.js';

function forecast(
  location: string,
  population: number,
  level: number,
  seed: number,
): LocationForecast {
  const rng = new Rng(seed);
  const draw = (h: number) =>
    Array.from({ length: 500 }, () => Math.round(level * (1 + 0.2 * h) * (0.5 + rng.uniform())));
  return {
    location,
    population,
    lastObserved: level,
    samples: new Map([-1, 0, 1, 2, 3].map((h) => [h, draw(h)])),
  };
}

describe('hubRows and hubCsv', () => {
  const forecasts = [
    forecast('US', 340_110_988, 20_000, 1),
    forecast('01', 5_157_699, 300, 2),
    forecast('56', 587_618, 8, 3),
  ];
  const rows = hubRows('2025-12-20', forecasts);

  it('writes a file the hub checker accepts, columns in the README order', () => {
    const name = hubFileName('2025-12-20', 'MOBS', 'epycloud_seir');
    expect(name).toBe('2025-12-20-MOBS-epycloud_seir.csv');
    expect(
      checkHubFile(hubCsv(rows), {
        fileName: name,
        referenceDate: '2025-12-20',
        strictColumnOrder: true,
      }),
    ).toEqual([]);
    expect(hubCsv(rows).split('\n')[0]).toBe(
      'reference_date,target,horizon,target_end_date,location,output_type,output_type_id,value',
    );
  });

  it('has 23 quantiles per location and horizon and 5 categories for horizons 0..3', () => {
    expect(rows).toHaveLength(3 * (5 * 23 + 4 * 5));
    expect(rows.filter((r) => r.outputType === 'pmf' && r.horizon === -1)).toEqual([]);
    expect(rows.find((r) => r.location === '01' && r.horizon === 3)?.targetEndDate).toBe(
      '2026-01-10',
    );
  });

  it('sorts rows the same whatever the order of the input', () => {
    expect(hubRows('2025-12-20', [...forecasts].reverse())).toEqual(rows);
    const keys = rows.map((r) => `${r.target}|${r.location}|${r.horizon + 1}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('rejects a horizon outside -1..3, an empty sample set and a bad file name part', () => {
    const bad = { ...forecasts[1]!, samples: new Map([[4, [1, 2]]]) };
    expect(() => hubRows('2025-12-20', [bad])).toThrow(
      /horizon 4: expected a horizon in -1, 0, 1, 2, 3/,
    );
    expect(() => hubRows('2025-12-20', [{ ...bad, samples: new Map([[0, []]]) }])).toThrow(
      ValidationError,
    );
    expect(() => hubFileName('2025-12-20', 'my-team', 'm')).toThrow(/team "my-team"/);
  });
});

describe('incidenceQuantiles', () => {
  it('takes type-7 quantiles rounded to whole admissions', () => {
    const q = incidenceQuantiles(Array.from({ length: 101 }, (_, i) => 100 - i)); // 0..100: quantile = 100 * level
    expect(q[0]).toBe(1); // 1.0
    expect(q[1]).toBe(3); // 2.5 rounds half up
    expect(q[11]).toBe(50);
    expect(q[22]).toBe(99);
  });

  it('clamps at 0 and never decreases', () => {
    const q = incidenceQuantiles([-5, -4, -3, 2, 2.4, 2.6]);
    expect(q.every((v) => v >= 0)).toBe(true);
    expect(q.every((v, i) => i === 0 || v >= q[i - 1]!)).toBe(true);
    expect(q[0]).toBe(0);
    expect(q[22]).toBe(3);
  });
});

describe('rateChangePmf', () => {
  // 10 million people: 1/100k = 100 admissions; horizon 0 thresholds 30 (stable) and 170 (large).
  const pop = 10_000_000;
  const last = 1000;

  it('puts each sample in the category of its change from the last observed week, boundaries included', () => {
    const changes = [-170, -169, -30, -29, 0, 29, 30, 169, 170, 500];
    const pmf = rateChangePmf(
      changes.map((c) => last + c),
      last,
      pop,
      0,
    );
    expect(pmf).toEqual({
      large_decrease: 0.1,
      decrease: 0.2,
      stable: 0.3,
      increase: 0.2,
      large_increase: 0.2,
    });
  });

  it('calls changes of fewer than 10 admissions stable in a small location', () => {
    // 100k people: a change of 9 is 9/100k, far above every threshold, but fewer than 10 admissions.
    // changes +1, -1, +9 are stable; +10 is 10/100k >= 5/100k: a large increase.
    expect(rateChangePmf([11, 9, 19, 20], 10, 100_000, 3)).toEqual({
      large_decrease: 0,
      decrease: 0,
      stable: 0.75,
      increase: 0,
      large_increase: 0.25,
    });
  });

  it('sums to exactly 1 after rounding to 1e-4', () => {
    const pmf = rateChangePmf([last - 500, last, last + 500], last, pop, 1);
    const units = Object.values(pmf).map((p) => Math.round(p * 1e4));
    expect(units.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(units.sort()).toEqual([0, 0, 3333, 3333, 3334]);
    expect(
      Object.values(pmf).every(
        (p) =>
          Number.isInteger(Math.round(p * 1e4)) && Math.abs(p * 1e4 - Math.round(p * 1e4)) < 1e-9,
      ),
    ).toBe(true);
  });
});
