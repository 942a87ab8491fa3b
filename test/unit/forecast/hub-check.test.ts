import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkHubFile } from '../../../lib/forecast/hub-check.js';

// The hub's own example (auxiliary-data/2025-10-18-example-submission.csv, rows of
// location 01); its columns: reference_date,horizon,target_end_date,location,target,output_type,output_type_id,value
const EXAMPLE = readFileSync(
  new URL('./fixtures/2025-10-18-example-submission-loc01.csv', import.meta.url),
  'utf8',
);
const LINES = EXAMPLE.trimEnd().split('\n');
const COL = {
  horizon: 1,
  target_end_date: 2,
  location: 3,
  target: 4,
  output_type: 5,
  output_type_id: 6,
  value: 7,
} as const;

/** Line number (1-based) of the first data row matching `target,output_type,horizon,output_type_id`. */
function lineOf(target: string, type: string, horizon: string, id: string): number {
  const i = LINES.findIndex((l) => {
    const c = l.split(',');
    return (
      c[COL.target] === target &&
      c[COL.output_type] === type &&
      c[COL.horizon] === horizon &&
      c[COL.output_type_id] === id
    );
  });
  expect(i).toBeGreaterThan(0);
  return i + 1;
}

/** The example with one line's cell replaced (or the line removed when `value` is null). */
function edit(line: number, column: keyof typeof COL, value: string | null): string {
  return LINES.map((l, i) => {
    if (i !== line - 1) return l;
    if (value === null) return undefined;
    const c = l.split(',');
    c[COL[column]] = value;
    return c.join(',');
  })
    .filter((l) => l !== undefined)
    .join('\n');
}

const median = lineOf('wk inc flu hosp', 'quantile', '2', '0.5');

describe('checkHubFile', () => {
  it('accepts the hub example submission', () => {
    expect(
      checkHubFile(EXAMPLE, {
        fileName: '2025-10-18-FluSight-example.csv',
        referenceDate: '2025-10-18',
      }),
    ).toEqual([]);
  });

  it('rejects a missing quantile level, naming the task and the level', () => {
    const problems = checkHubFile(edit(median, 'value', null));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /target wk inc flu hosp, location 01, horizon 2\), column output_type_id: missing 0\.5 \(/,
    );
  });

  it('rejects a decreasing quantile, naming the line and the lower level', () => {
    const problems = checkHubFile(edit(median, 'value', '1'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(
        `^line ${median}, column value: expected >= \\d+ \\(the value of the lower level 0\\.45 on line ${median - 1}\\)`,
      ),
    );
  });

  it('rejects a negative value', () => {
    const lowest = lineOf('wk inc flu hosp', 'quantile', '0', '0.01');
    const problems = checkHubFile(edit(lowest, 'value', '-3'));
    expect(problems).toEqual([
      `line ${lowest}, column value: expected a number with 0 <= value <= inf for wk inc flu hosp quantile, got "-3"`,
    ]);
  });

  it('rejects a pmf that does not sum to 1, and a probability above 1', () => {
    const stable = lineOf('wk flu hosp rate change', 'pmf', '1', 'stable');
    const problems = checkHubFile(edit(stable, 'value', '0.2'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /target wk flu hosp rate change, location 01, horizon 1\), column value: expected pmf values summing to 1 .*got 1\.18/,
    );
    expect(checkHubFile(edit(stable, 'value', '1.5')).join('\n')).toMatch(
      new RegExp(`line ${stable}, column value: expected a number with 0 <= value <= 1`),
    );
  });

  it('accepts the columns in any order, but not a missing or extra column; in strict mode only the README order', () => {
    expect(checkHubFile(EXAMPLE, { strictColumnOrder: true })).toEqual([
      'line 1 (header): expected the columns in the order reference_date,target,horizon,target_end_date,location,output_type,output_type_id,value, got reference_date,horizon,target_end_date,location,target,output_type,output_type_id,value',
    ]);
    const renamed = EXAMPLE.replace('output_type_id', 'type_id');
    expect(checkHubFile(renamed)).toEqual([
      'line 1 (header): expected the columns reference_date,target,horizon,target_end_date,location,output_type,output_type_id,value; missing output_type_id; unexpected type_id',
    ]);
  });

  it('rejects a header whose names do not match the data (swapped columns)', () => {
    const swapped = EXAMPLE.replace(
      'reference_date,horizon,target_end_date,location,target',
      'reference_date,horizon,target_end_date,target,location',
    );
    const problems = checkHubFile(swapped);
    expect(problems.length).toBeGreaterThan(100);
    expect(problems[0]).toMatch(
      /^line 2, column location: expected a FluSight location code .*got "wk flu hosp rate change"/,
    );
  });

  it('rejects a wrong target_end_date with the expected date', () => {
    const problems = checkHubFile(edit(median, 'target_end_date', '2025-10-25'));
    expect(problems).toEqual([
      `line ${median}, column target_end_date: expected 2025-11-01 (reference_date 2025-10-18 + 7 * horizon 2), got "2025-10-25"`,
    ]);
  });

  it('rejects an unknown location', () => {
    const problems = checkHubFile(edit(median, 'location', '03'));
    expect(problems[0]).toBe(
      `line ${median}, column location: expected a FluSight location code ("US" or a state FIPS code such as "01"), got "03"`,
    );
  });

  it('rejects a duplicate row, a horizon the target does not have and an output type it does not take', () => {
    const duplicated = `${EXAMPLE.trimEnd()}\n${LINES[median - 1]}`;
    expect(checkHubFile(duplicated)).toEqual([
      `line ${LINES.length + 1}: duplicate of line ${median} (same columns except value), expected each row once`,
    ]);
    const peak = lineOf('peak inc flu hosp', 'quantile', 'NA', '0.5');
    expect(checkHubFile(edit(peak, 'horizon', '1'))[0]).toBe(
      `line ${peak}, column horizon: expected NA or an empty cell for target peak inc flu hosp, got "1"`,
    );
    const pmf = lineOf('wk flu hosp rate change', 'pmf', '0', 'increase');
    expect(checkHubFile(edit(pmf, 'output_type', 'quantile')).join('\n')).toMatch(
      new RegExp(
        `line ${pmf}, column output_type: expected one of pmf for target wk flu hosp rate change`,
      ),
    );
  });

  it('checks the reference date: a Saturday, the one of the file name', () => {
    expect(
      checkHubFile(EXAMPLE, {
        fileName: '2025-10-25-FluSight-example.csv',
        referenceDate: '2025-10-18',
      }),
    ).toEqual([
      'file name "2025-10-25-FluSight-example.csv": expected the reference date 2025-10-18, got 2025-10-25',
    ]);
    expect(checkHubFile(EXAMPLE, { fileName: '2025-10-18-FluSight-example-v2.csv' })[0]).toMatch(
      /expected <reference_date>-<team>-<model>\.csv/,
    );
    const problems = checkHubFile(EXAMPLE, { referenceDate: '2025-10-25' });
    expect(problems).toHaveLength(LINES.length - 1);
    expect(problems[0]).toBe(
      'line 2, column reference_date: expected 2025-10-25, got "2025-10-18"',
    );
    expect(
      checkHubFile(edit(median, 'value', '5').replaceAll('2025-10-18', '2025-10-19'))[0],
    ).toMatch(/column reference_date: expected a Saturday YYYY-MM-DD \(it is a Sunday/);
  });

  it('counts the samples of a task', () => {
    const sample = LINES.findIndex((l) => l.includes(',sample,AL07,'));
    const fewer = LINES.filter((l) => !l.includes(',sample,AL07,')).join('\n');
    expect(sample).toBeGreaterThan(0);
    expect(checkHubFile(fewer)).toEqual([
      expect.stringMatching(
        /\(target wk inc flu hosp, location 01\), column output_type_id: expected 100 distinct sample ids, got 99$/,
      ),
    ]);
  });
});
