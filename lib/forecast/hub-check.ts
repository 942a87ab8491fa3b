import { referenceDateProblem } from '../contract/reference-date.js';
import { dayNumber, isoDate } from '../engine/dates.js';
import { parseCsv } from '../experiment/csv-data.js';
import { checkHubGroups, type HubCsvRow } from './hub-check-groups.js';
import {
  HUB_COLUMNS,
  HUB_FILE_NAME,
  LOCATION_CODES,
  TARGET_RULES,
  type HubColumn,
  type OutputTypeRule,
  type TargetRule,
} from './hub-rules.js';

/** Options of {@link checkHubFile}. */
export interface HubCheckOptions {
  /** The round's reference date; defaults to the file name's date, else the first row's. */
  readonly referenceDate?: string;
  /** The file's name, `<reference_date>-<team>-<model>.csv`, checked when given. */
  readonly fileName?: string;
  /**
   * Require the columns in {@link HUB_COLUMNS} order (what we write). Default
   * false: the hub accepts the eight columns in any order, and its own
   * example submission puts `horizon` second.
   */
  readonly strictColumnOrder?: boolean;
}

const LOCATIONS = new Set(LOCATION_CODES);
const NO_VALUE = new Set(['', 'NA']);

/**
 * Every problem of a FluSight submission (CSV text) against the hub's rules
 * ({@link TARGET_RULES}); empty when the file is valid. Each problem names the
 * line (or the group of lines), the column and what was expected.
 */
export function checkHubFile(csvText: string, opts: HubCheckOptions = {}): string[] {
  const [header, ...rows] = parseCsv(csvText);
  if (header === undefined)
    return [`line 1: expected the header ${HUB_COLUMNS.join(',')}, got an empty file`];
  const problems = checkHeader(header.cells, opts.strictColumnOrder ?? false);
  if (problems.length > 0) return problems;
  const records = rows.flatMap((row): HubCsvRow[] => {
    if (row.cells.length === header.cells.length) {
      return [
        {
          line: row.line,
          cells: Object.fromEntries(header.cells.map((name, i) => [name, row.cells[i]!])) as Record<
            HubColumn,
            string
          >,
        },
      ];
    }
    problems.push(
      `line ${row.line}: expected ${header.cells.length} cells, got ${row.cells.length}`,
    );
    return [];
  });
  const referenceDate = expectedReferenceDate(opts, records[0], problems);
  const flagged = new Set<number>();
  for (const record of records) {
    const rowProblems = checkRow(record, referenceDate);
    if (rowProblems.length > 0) flagged.add(record.line);
    problems.push(...rowProblems);
  }
  problems.push(...checkHubGroups(records, flagged));
  return problems;
}

function checkHeader(columns: readonly string[], strict: boolean): string[] {
  const expected = HUB_COLUMNS.join(',');
  const missing = HUB_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter(
    (c, i) => !(HUB_COLUMNS as readonly string[]).includes(c) || columns.indexOf(c) !== i,
  );
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unexpected ${unknown.join(', ')}` : '',
    ];
    return [
      `line 1 (header): expected the columns ${expected}; ${parts.filter(Boolean).join('; ')}`,
    ];
  }
  if (strict && columns.join(',') !== expected)
    return [
      `line 1 (header): expected the columns in the order ${expected}, got ${columns.join(',')}`,
    ];
  return [];
}

function expectedReferenceDate(
  opts: HubCheckOptions,
  first: HubCsvRow | undefined,
  problems: string[],
): string | undefined {
  const fromName = opts.fileName === undefined ? undefined : HUB_FILE_NAME.exec(opts.fileName)?.[1];
  if (opts.fileName !== undefined && fromName === undefined) {
    problems.push(
      `file name "${opts.fileName}": expected <reference_date>-<team>-<model>.csv (team and model: letters, digits, _ or +, at most 16)`,
    );
  }
  if (
    opts.referenceDate !== undefined &&
    fromName !== undefined &&
    fromName !== opts.referenceDate
  ) {
    problems.push(
      `file name "${opts.fileName}": expected the reference date ${opts.referenceDate}, got ${fromName}`,
    );
  }
  return opts.referenceDate ?? fromName ?? first?.cells.reference_date;
}

const cellProblem = (row: HubCsvRow, column: HubColumn, expected: string): string =>
  `line ${row.line}, column ${column}: expected ${expected}, got "${row.cells[column]}"`;

function checkRow(row: HubCsvRow, referenceDate: string | undefined): string[] {
  const { cells } = row;
  const problems: string[] = [];
  const bad = (column: HubColumn, expected: string): number =>
    problems.push(cellProblem(row, column, expected));
  const dateProblem = referenceDateProblem(cells.reference_date);
  if (dateProblem !== undefined) bad('reference_date', `a Saturday YYYY-MM-DD (${dateProblem})`);
  else if (referenceDate !== undefined && cells.reference_date !== referenceDate)
    bad('reference_date', referenceDate);
  if (!LOCATIONS.has(cells.location))
    bad('location', 'a FluSight location code ("US" or a state FIPS code such as "01")');
  const rule = TARGET_RULES.get(cells.target);
  if (rule === undefined) {
    bad('target', `one of ${[...TARGET_RULES.keys()].join(', ')}`);
    return problems;
  }
  problems.push(...checkHorizon(row, rule.horizons));
  const outputRule = rule.outputTypes.get(cells.output_type);
  if (outputRule === undefined) {
    bad(
      'output_type',
      `one of ${[...rule.outputTypes.keys()].join(', ')} for target ${rule.target}`,
    );
    return problems;
  }
  problems.push(...checkIdAndValue(row, rule, outputRule));
  return problems;
}

/** The output_type_id and value of a row whose target and output type are known. */
function checkIdAndValue(row: HubCsvRow, rule: TargetRule, outputRule: OutputTypeRule): string[] {
  const { cells } = row;
  const problems: string[] = [];
  const bad = (column: HubColumn, expected: string): number =>
    problems.push(cellProblem(row, column, expected));
  const id = cells.output_type_id;
  if (
    outputRule.ids !== undefined &&
    !outputRule.ids.some((allowed) =>
      typeof allowed === 'number' ? Number(id) === allowed && id !== '' : id === allowed,
    )
  ) {
    bad(
      'output_type_id',
      `one of ${outputRule.ids.join(', ')} for ${rule.target} ${cells.output_type}`,
    );
  }
  if (rule.dateValued && referenceDateProblem(id) !== undefined)
    bad('output_type_id', 'a Saturday YYYY-MM-DD');
  if (outputRule.sample !== undefined && (id === '' || id.length > outputRule.sample.maxIdLength)) {
    bad('output_type_id', `a sample id of 1 to ${outputRule.sample.maxIdLength} characters`);
  }
  const value = cells.value.trim() === '' ? Number.NaN : Number(cells.value);
  const range = `${outputRule.min ?? '-inf'} <= value <= ${outputRule.max ?? 'inf'}`;
  if (!Number.isFinite(value)) bad('value', `a finite number (${range})`);
  else if (
    (outputRule.min !== undefined && value < outputRule.min) ||
    (outputRule.max !== undefined && value > outputRule.max)
  ) {
    bad('value', `a number with ${range} for ${rule.target} ${cells.output_type}`);
  } else if (outputRule.integer && !Number.isInteger(value))
    bad('value', `a whole number for ${rule.target} ${cells.output_type}`);
  return problems;
}

function checkHorizon(row: HubCsvRow, horizons: readonly number[] | undefined): string[] {
  const { cells, line } = row;
  const at = (column: HubColumn): string => `line ${line}, column ${column}`;
  if (horizons === undefined) {
    return (['horizon', 'target_end_date'] as const)
      .filter((column) => !NO_VALUE.has(cells[column]))
      .map(
        (column) =>
          `${at(column)}: expected NA or an empty cell for target ${cells.target}, got "${cells[column]}"`,
      );
  }
  const horizon = /^-?\d+$/.test(cells.horizon) ? Number(cells.horizon) : Number.NaN;
  if (!horizons.includes(horizon))
    return [
      `${at('horizon')}: expected one of ${horizons.join(', ')} for target ${cells.target}, got "${cells.horizon}"`,
    ];
  const day = dayNumber(cells.reference_date);
  if (day === undefined) return [];
  const expected = isoDate(day + 7 * horizon);
  return cells.target_end_date === expected
    ? []
    : [
        `${at('target_end_date')}: expected ${expected} (reference_date ${cells.reference_date} + 7 * horizon ${horizon}), got "${cells.target_end_date}"`,
      ];
}
