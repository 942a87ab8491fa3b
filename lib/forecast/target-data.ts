import { referenceDateProblem } from '../contract/reference-date.js';
import { parseCsv } from '../experiment/csv-data.js';
import { LOCATION_CODES } from './hub-rules.js';

/** One observed week: the Saturday ending it and its admissions. */
export interface TruthPoint {
  readonly date: string;
  readonly value: number;
}

/** The observed series by location, each sorted by date, and every problem found. */
export interface TargetData {
  readonly series: ReadonlyMap<string, readonly TruthPoint[]>;
  readonly problems: readonly string[];
}

/** Header of the hub's `target-data/target-hospital-admissions.csv`. */
const TARGET_DATA_COLUMNS = ['date', 'location', 'location_name', 'value', 'weekly_rate'] as const;

const LOCATIONS = new Set(LOCATION_CODES);

/**
 * Parses the hub's truth data (`date,location,location_name,value,weekly_rate`,
 * cells possibly quoted): per location, the weeks with a value. A value `NA`
 * (not reported) is skipped; a bad row is reported as `file (line N), column
 * C: expected ..., got "..."` and left out.
 */
export function parseTargetData(file: string, text: string): TargetData {
  const [header, ...rows] = parseCsv(text);
  const expected = TARGET_DATA_COLUMNS.join(',');
  if (header?.cells.join(',') !== expected) {
    return {
      series: new Map(),
      problems: [
        `${file} (line 1): expected the header ${expected}, got "${header?.cells.join(',') ?? ''}"`,
      ],
    };
  }
  const problems: string[] = [];
  const byLocation = new Map<string, Map<string, number>>();
  for (const { line, cells } of rows) {
    const [date = '', location = '', , raw = ''] = cells;
    const bad = (column: string, what: string, got: string): void => {
      problems.push(`${file} (line ${line}), column ${column}: expected ${what}, got "${got}"`);
    };
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    const before = problems.length;
    if (cells.length !== TARGET_DATA_COLUMNS.length)
      bad('*', `${TARGET_DATA_COLUMNS.length} cells`, cells.join(','));
    else if (referenceDateProblem(date) !== undefined) bad('date', 'a Saturday YYYY-MM-DD', date);
    if (!LOCATIONS.has(location))
      bad('location', 'a FluSight location code ("US" or a FIPS code)', location);
    if (raw !== 'NA' && !(Number.isFinite(value) && value >= 0))
      bad('value', 'a number >= 0 or NA', raw);
    if (problems.length > before || raw === 'NA') continue;
    const weeks = byLocation.get(location) ?? new Map<string, number>();
    if (weeks.has(date))
      bad('date', `each (location, date) once; ${location} ${date} repeats`, date);
    else weeks.set(date, value);
    byLocation.set(location, weeks);
  }
  const series = new Map(
    [...byLocation].map(([location, weeks]) => [
      location,
      [...weeks]
        .map(([date, value]) => ({ date, value }))
        .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
    ]),
  );
  return { series, problems };
}
