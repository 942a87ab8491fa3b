/** A data CSV of an experiment, parsed into trimmed cells with 1-based line numbers. */
export interface CsvRow {
  readonly line: number;
  readonly cells: readonly string[];
}

/** Splits simple CSV text (no quoted commas) into non-empty rows. */
export function parseCsv(text: string): CsvRow[] {
  return text
    .split(/\r?\n/)
    .map((raw, i) => ({
      line: i + 1,
      cells: raw.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1')),
    }))
    .filter((row) => row.cells.some((c) => c !== ''));
}

/** Result of reading a data table: values, or problems naming file and line. */
export type TableResult<T> =
  | { readonly value: T; readonly problems: readonly [] }
  | { readonly value?: undefined; readonly problems: string[] };

const isNumber = (cell: string): boolean => cell !== '' && Number.isFinite(Number(cell));

/** Fractions per age group, by location code; the key `*` applies to every location. */
export type AgeDistribution = Readonly<Record<string, readonly number[]>>;

/** Key of an age distribution that applies to every location. */
export const ALL_LOCATIONS = '*';

/**
 * Age distribution: a header `age_group,fraction` (one distribution for every
 * location) or `age_group,<code>,<code>...` (one column per location, e.g.
 * `US-MA`), then one row per group in the model's order; each column's
 * fractions are >= 0 and sum to 1 (within 1e-6).
 */
export function readAgeDistribution(
  file: string,
  text: string,
  groups: readonly string[],
): TableResult<AgeDistribution> {
  const [header, ...rows] = parseCsv(text);
  const columns = header?.cells.slice(1) ?? [];
  if (header === undefined || rows.length !== groups.length || columns.length === 0) {
    const got = header === undefined ? 'an empty file' : `${rows.length} row(s) after the header`;
    return {
      problems: [
        `${file}: expected a header "age_group,fraction" (or one column per location) and ${groups.length} row(s), one per age group ${groups.join(', ')}; got ${got}`,
      ],
    };
  }
  const problems: string[] = [];
  const values = columns.map(() => new Array<number>(groups.length).fill(0));
  rows.forEach((row, g) => {
    const [name, ...cells] = row.cells;
    if (
      name !== groups[g] ||
      cells.length !== columns.length ||
      !cells.every((c) => isNumber(c) && Number(c) >= 0)
    ) {
      problems.push(
        `${file} (line ${row.line}): expected "${groups[g]}" then ${columns.length} fraction(s) >= 0, got "${row.cells.join(',')}"`,
      );
    }
    cells.forEach((c, k) => (values[k]![g] = Number(c)));
  });
  const keys = columns.length === 1 && columns[0] === 'fraction' ? [ALL_LOCATIONS] : columns;
  keys.forEach((key, k) => {
    const sum = values[k]!.reduce((a, b) => a + b, 0);
    if (problems.length === 0 && Math.abs(sum - 1) > 1e-6)
      problems.push(
        `${file}: fractions${key === ALL_LOCATIONS ? '' : ` of ${key}`} sum to ${sum}, expected 1`,
      );
  });
  return problems.length > 0
    ? { problems }
    : { value: Object.fromEntries(keys.map((key, k) => [key, values[k]!])), problems: [] };
}

/**
 * Contact matrix: a header whose cells after the first are the group names,
 * then one row per group `name,c_1,...,c_G` (non-negative numbers), both in
 * the model's group order. C[g][h] = contacts of a member of g with group h.
 */
export function readContactMatrix(
  file: string,
  text: string,
  groups: readonly string[],
): TableResult<number[][]> {
  const rows = parseCsv(text);
  const G = groups.length;
  const problems: string[] = [];
  const header = rows[0];
  if (
    header === undefined ||
    rows.length !== G + 1 ||
    header.cells.slice(1).join(',') !== groups.join(',')
  ) {
    problems.push(
      `${file}: expected a ${G}x${G} matrix: a header ",${groups.join(',')}" and ${G} rows "<group>,<${G} numbers>"`,
    );
    return { problems };
  }
  const matrix = rows.slice(1).map((row, g) => {
    const [name, ...cells] = row.cells;
    if (
      name !== groups[g] ||
      cells.length !== G ||
      !cells.every((c) => isNumber(c) && Number(c) >= 0)
    ) {
      problems.push(
        `${file} (line ${row.line}): expected "${groups[g]}" then ${G} numbers >= 0, got "${row.cells.join(',')}"`,
      );
    }
    return cells.map(Number);
  });
  return problems.length > 0 ? { problems } : { value: matrix, problems: [] };
}
