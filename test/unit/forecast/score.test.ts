import { describe, expect, it } from 'vitest';
import { dayNumber, isoDate } from '../../../lib/engine/dates.js';
import { hubRows, type HubRow } from '../../../lib/forecast/hub-file.js';
import { QUANTILE_LEVELS } from '../../../lib/forecast/hub-rules.js';
import { scoreForecast } from '../../../lib/forecast/score.js';
import type { TruthPoint } from '../../../lib/forecast/target-data.js';

const REF = '2025-01-18';

/** Flat at 100 through REF - 7, then `after` at horizons 0, 1, ... */
function truth(after: readonly number[]): TruthPoint[] {
  const last = dayNumber(REF)! - 7;
  const before = Array.from({ length: 30 }, (_, i) => ({
    date: isoDate(last - 7 * (29 - i)),
    value: 100,
  }));
  return [...before, ...after.map((value, h) => ({ date: isoDate(last + 7 * (h + 1)), value }))];
}

/** Point forecast `value` at every level, as quantile rows. */
function pointRows(location: string, horizon: number, value: number): HubRow[] {
  return QUANTILE_LEVELS.map((level) => ({
    referenceDate: REF,
    target: 'wk inc flu hosp',
    horizon,
    targetEndDate: isoDate(dayNumber(REF)! + 7 * horizon),
    location,
    outputType: 'quantile' as const,
    outputTypeId: String(level),
    value,
  }));
}

describe('scoreForecast', () => {
  it('scores model and flat baseline per cell and their ratio, skipping cells without truth', () => {
    // The baseline sees a flat 100, so it is the point 100: WIS = |y - 100|. The model says 105: WIS = |y - 105|.
    const rows = [0, 1, 2, 3].flatMap((h) => [
      ...pointRows('01', h, 105),
      ...pointRows('02', h, 105),
    ]);
    const result = scoreForecast({
      hubRows: rows,
      truth: new Map([
        ['01', truth([110, 120, 130, 140])],
        ['02', truth([90, 100])],
      ]),
      baseline: { nsims: 200 },
    });
    expect(result.cells.map((c) => [c.location, c.horizon, c.observed])).toEqual([
      ['01', 0, 110],
      ['01', 1, 120],
      ['01', 2, 130],
      ['01', 3, 140],
      ['02', 0, 90],
      ['02', 1, 100],
    ]);
    expect(result.cells.map((c) => c.modelWis)).toEqual(
      [5, 15, 25, 35, 15, 5].map((x) => expect.closeTo(x, 9)),
    );
    expect(result.cells.map((c) => c.baselineWis)).toEqual(
      [10, 20, 30, 40, 10, 0].map((x) => expect.closeTo(x, 9)),
    );
    expect(result.relativeWis).toBeCloseTo(100 / 110, 12);
    expect(result.skipped).toEqual([
      'location 02, horizon 2: no truth for 2025-02-01',
      'location 02, horizon 3: no truth for 2025-02-08',
    ]);
  });

  it('skips a location without its last observed week and a task with missing levels', () => {
    const rows = [
      ...pointRows('01', 0, 100),
      ...pointRows('04', 0, 100).slice(1),
      ...pointRows('05', 0, 100),
    ];
    const late = truth([100]).filter((p) => p.date !== '2025-01-11');
    const result = scoreForecast({
      hubRows: rows,
      truth: new Map([
        ['01', late],
        ['04', truth([100])],
        ['05', truth([130])],
      ]),
      baseline: { nsims: 100 },
    });
    expect(result.cells.map((c) => c.location)).toEqual(['05']);
    expect(result.skipped).toEqual([
      'location 01: no truth for the last observed week 2025-01-11, so no baseline',
      'location 04, horizon 0: not all 23 quantile levels, not scored',
    ]);
  });

  it('scores the writer output and refuses rows of several reference dates', () => {
    const samples = new Map(
      [0, 1, 2, 3].map((h) => [h, Array.from({ length: 101 }, (_, i) => 90 + i)]),
    );
    const rows = hubRows(REF, [
      { location: '01', population: 5_157_699, lastObserved: 100, samples },
    ]);
    const result = scoreForecast({
      hubRows: rows,
      truth: new Map([['01', truth([140, 140, 140, 140])]]),
      baseline: { nsims: 100 },
    });
    expect(result.cells).toHaveLength(4);
    expect(result.relativeWis).toBeLessThan(1); // centred on 140, the model beats a flat 100
    expect(() =>
      scoreForecast({
        hubRows: [...rows, { ...rows[0]!, referenceDate: '2025-01-25' }],
        truth: new Map(),
      }),
    ).toThrow(/one reference date/);
  });
});
