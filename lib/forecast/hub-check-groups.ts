import {
  PMF_SUM_TOLERANCE,
  TARGET_RULES,
  type HubColumn,
  type OutputTypeRule,
} from './hub-rules.js';

/** One data row of a submission: its cells by column and its 1-based line. */
export interface HubCsvRow {
  readonly line: number;
  readonly cells: Readonly<Record<HubColumn, string>>;
}

/**
 * Problems that span rows of a submission: duplicate rows; per task (target,
 * location, horizon) every required quantile level or pmf category present,
 * quantile values non-decreasing in the level, pmf values summing to 1 (the
 * hub validator's tolerance); per sampled task (reference date, location,
 * target) the allowed number of samples. Rows whose target or output type is
 * unknown are left to the row checks, and the values of a task with a
 * `flagged` line (a row problem already reported) are not checked again.
 */
export function checkHubGroups(rows: readonly HubCsvRow[], flagged: ReadonlySet<number>): string[] {
  const problems = duplicates(rows);
  for (const group of groupBy(rows, taskKey).values()) {
    const ids = ruleOf(group[0]!)?.ids;
    if (ids !== undefined) {
      const present = new Set(group.map((row) => canonicalId(row.cells.output_type_id, ids)));
      const missing = ids.filter((id) => !present.has(String(id)));
      if (missing.length > 0) {
        problems.push(
          `${describe(group)}, column output_type_id: missing ${missing.join(', ')} (expected all of ${ids.join(', ')})`,
        );
      }
    }
    const outputType = group.some((row) => flagged.has(row.line))
      ? undefined
      : group[0]!.cells.output_type;
    if (outputType === 'quantile') problems.push(...decreasing(group));
    if (outputType === 'pmf') problems.push(...notSummingToOne(group));
  }
  for (const group of groupBy(rows, sampleKey).values()) {
    const sample = ruleOf(group[0]!)?.sample;
    const count = new Set(group.map((row) => row.cells.output_type_id)).size;
    if (sample !== undefined && (count < sample.min || count > sample.max)) {
      const expected =
        sample.min === sample.max ? `${sample.min}` : `${sample.min} to ${sample.max}`;
      problems.push(
        `${describe(group, false)}, column output_type_id: expected ${expected} distinct sample ids, got ${count}`,
      );
    }
  }
  return problems;
}

function ruleOf(row: HubCsvRow): OutputTypeRule | undefined {
  return TARGET_RULES.get(row.cells.target)?.outputTypes.get(row.cells.output_type);
}

/** Quantile ids compare as numbers ("0.10" is level 0.1); others as text. */
function canonicalId(id: string, ids: readonly (string | number)[]): string {
  return typeof ids[0] === 'number' && id.trim() !== '' ? String(Number(id)) : id;
}

const taskKey = (row: HubCsvRow): string | undefined => {
  const { reference_date, target, location, horizon, output_type } = row.cells;
  const rule = ruleOf(row);
  return rule === undefined || rule.sample !== undefined
    ? undefined
    : [reference_date, target, location, horizon, output_type].join('|');
};

const sampleKey = (row: HubCsvRow): string | undefined =>
  ruleOf(row)?.sample === undefined
    ? undefined
    : [row.cells.reference_date, row.cells.target, row.cells.location].join('|');

function groupBy(
  rows: readonly HubCsvRow[],
  key: (row: HubCsvRow) => string | undefined,
): Map<string, HubCsvRow[]> {
  const groups = new Map<string, HubCsvRow[]>();
  for (const row of rows) {
    const k = key(row);
    if (k !== undefined) groups.set(k, [...(groups.get(k) ?? []), row]);
  }
  return groups;
}

function describe(group: readonly HubCsvRow[], withHorizon = true): string {
  const { target, location, horizon } = group[0]!.cells;
  const lines = group.map((row) => row.line);
  const span =
    lines.length === 1 ? `line ${lines[0]}` : `lines ${Math.min(...lines)}-${Math.max(...lines)}`;
  return `${span} (target ${target}, location ${location}${withHorizon ? `, horizon ${horizon}` : ''})`;
}

function duplicates(rows: readonly HubCsvRow[]): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  for (const row of rows) {
    const { value: _value, ...task } = row.cells;
    const key = Object.values(task).join('|');
    const first = seen.get(key);
    if (first === undefined) seen.set(key, row.line);
    else
      problems.push(
        `line ${row.line}: duplicate of line ${first} (same columns except value), expected each row once`,
      );
  }
  return problems;
}

function decreasing(group: readonly HubCsvRow[]): string[] {
  const sorted = [...group].sort(
    (a, b) => Number(a.cells.output_type_id) - Number(b.cells.output_type_id),
  );
  return sorted.flatMap((row, i) => {
    const previous = sorted[i - 1];
    if (previous === undefined || !(Number(row.cells.value) < Number(previous.cells.value)))
      return [];
    return [
      `line ${row.line}, column value: expected >= ${previous.cells.value} (the value of the lower level ${previous.cells.output_type_id} on line ${previous.line}): quantiles must not decrease with the level, got "${row.cells.value}" at level ${row.cells.output_type_id}`,
    ];
  });
}

function notSummingToOne(group: readonly HubCsvRow[]): string[] {
  const sum = group.reduce((total, row) => total + Number(row.cells.value), 0);
  if (Math.abs(sum - 1) <= PMF_SUM_TOLERANCE * Math.abs(sum)) return [];
  return [
    `${describe(group)}, column value: expected pmf values summing to 1 (relative tolerance ${PMF_SUM_TOLERANCE.toExponential(2)}), got ${sum}`,
  ];
}
