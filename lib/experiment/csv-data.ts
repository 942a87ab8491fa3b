/** A data CSV of an experiment, parsed into trimmed cells with 1-based line numbers. */
export interface CsvRow {
  readonly line: number;
  readonly cells: readonly string[];
}

/** Splits simple CSV text (no quoted commas) into non-empty rows. */
export function parseCsv(text: string): CsvRow[] {
  return text
    .split(/\r?\n/)
    .map((raw, i) => ({ line: i + 1, cells: raw.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1')) }))
    .filter((row) => row.cells.some((c) => c !== ''));
}

/** Result of reading a data table: values, or problems naming file and line. */
export type TableResult<T> =
  { readonly value: T; readonly problems: readonly [] } | { readonly value?: undefined; readonly problems: string[] };

const isNumber = (cell: string): boolean => cell !== '' && Number.isFinite(Number(cell));

/**
 * Age distribution: header `age_group,fraction`, then one row per group in
 * the model's order; fractions >= 0 summing to 1 (within 1e-6).
 */
export function readAgeDistribution(file: string, text: string, groups: readonly string[]): TableResult<number[]> {
  const rows = parseCsv(text);
  const problems: string[] = [];
  if (rows.length !== groups.length + 1) {
    problems.push(
      `${file}: expected a header and ${groups.length} row(s) (one per age group ${groups.join(', ')}), got ${rows.length} row(s)`,
    );
    return { problems };
  }
  const values = rows.slice(1).map((row, g) => {
    const [name, value, ...extra] = row.cells;
    if (name !== groups[g] || value === undefined || !isNumber(value) || Number(value) < 0 || extra.length > 0) {
      problems.push(`${file} (line ${row.line}): expected "${groups[g]},<fraction >= 0>", got "${row.cells.join(',')}"`);
    }
    return Number(value);
  });
  const sum = values.reduce((a, b) => a + b, 0);
  if (problems.length === 0 && Math.abs(sum - 1) > 1e-6) problems.push(`${file}: fractions sum to ${sum}, expected 1`);
  return problems.length > 0 ? { problems } : { value: values, problems: [] };
}

/**
 * Contact matrix: a header whose cells after the first are the group names,
 * then one row per group `name,c_1,...,c_G` (non-negative numbers), both in
 * the model's group order. C[g][h] = contacts of a member of g with group h.
 */
export function readContactMatrix(file: string, text: string, groups: readonly string[]): TableResult<number[][]> {
  const rows = parseCsv(text);
  const G = groups.length;
  const problems: string[] = [];
  const header = rows[0];
  if (header === undefined || rows.length !== G + 1 || header.cells.slice(1).join(',') !== groups.join(',')) {
    problems.push(`${file}: expected a ${G}x${G} matrix: a header ",${groups.join(',')}" and ${G} rows "<group>,<${G} numbers>"`);
    return { problems };
  }
  const matrix = rows.slice(1).map((row, g) => {
    const [name, ...cells] = row.cells;
    if (name !== groups[g] || cells.length !== G || !cells.every((c) => isNumber(c) && Number(c) >= 0)) {
      problems.push(`${file} (line ${row.line}): expected "${groups[g]}" then ${G} numbers >= 0, got "${row.cells.join(',')}"`);
    }
    return cells.map(Number);
  });
  return problems.length > 0 ? { problems } : { value: matrix, problems: [] };
}
