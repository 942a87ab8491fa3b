import { describe, expect, it } from 'vitest';
import { parseTargetData } from '../../../lib/forecast/target-data.js';

const HEADER = '"date","location","location_name","value","weekly_rate"';

describe('parseTargetData', () => {
  it('reads quoted cells into per-location series sorted by date, skipping NA', () => {
    const text = [
      HEADER,
      '2025-01-11,"01","Alabama",469,9.1',
      '"2025-01-04","01","Alabama",512,9.9',
      '2025-01-04,"US","US",NA,NA',
      '2025-01-11,"US","US",31884,9.4',
    ].join('\n');
    const { series, problems } = parseTargetData('truth.csv', text);
    expect(problems).toEqual([]);
    expect(series.get('01')).toEqual([
      { date: '2025-01-04', value: 512 },
      { date: '2025-01-11', value: 469 },
    ]);
    expect(series.get('US')).toEqual([{ date: '2025-01-11', value: 31884 }]);
  });

  it('reports every bad row with file, line, column and what was expected', () => {
    const text = [
      HEADER,
      '2025-01-10,"01","Alabama",469,9.1',
      '2025-01-11,"03","Nowhere",1,1',
      '2025-01-11,"01","Alabama",-2,1',
      '2025-01-18,"01","Alabama",5,1',
      '2025-01-18,"01","Alabama",6,1',
      '2025-01-25,"01","Alabama"',
    ].join('\n');
    const { series, problems } = parseTargetData('truth.csv', text);
    expect(problems).toEqual([
      'truth.csv (line 2), column date: expected a Saturday YYYY-MM-DD, got "2025-01-10"',
      'truth.csv (line 3), column location: expected a FluSight location code ("US" or a FIPS code), got "03"',
      'truth.csv (line 4), column value: expected a number >= 0 or NA, got "-2"',
      'truth.csv (line 6), column date: expected each (location, date) once; 01 2025-01-18 repeats, got "2025-01-18"',
      'truth.csv (line 7), column *: expected 5 cells, got "2025-01-25,01,Alabama"',
      'truth.csv (line 7), column value: expected a number >= 0 or NA, got ""',
    ]);
    expect(series.get('01')).toEqual([{ date: '2025-01-18', value: 5 }]);
  });

  it('rejects another header', () => {
    expect(parseTargetData('t.csv', 'date,location,value\n2025-01-11,01,3').problems).toEqual([
      't.csv (line 1): expected the header date,location,location_name,value,weekly_rate, got "date,location,value"',
    ]);
  });
});
