import { quantileSorted } from '../lib/engine/quantiles.js';
import type { TaskResult } from '../lib/experiment/task.js';
import type { Cell } from './table-types.js';

/** Which series of a result go into a table: `true` = all, a list = those names. */
export type Selection = boolean | readonly string[];

/** Names picked by a selection, in the result's order. */
export function selectNames(all: readonly string[], selection: Selection): string[] {
  if (selection === true) return [...all];
  if (selection === false) return [];
  return all.filter((name) => selection.includes(name));
}

/** Column headers: per series, one per group then `<name>_total` (the reference tables' order). */
export function seriesHeaders(names: readonly string[], groups: readonly string[]): string[] {
  return names.flatMap((name) => [...groups.map((g) => `${name}_${g}`), `${name}_total`]);
}

/** Values of every column for one simulation and date. */
function columnValues(
  series: Readonly<Record<string, readonly number[]>>,
  names: readonly string[],
  G: number,
  D: number,
  sim: number,
  d: number,
  out: number[],
): void {
  let k = 0;
  for (const name of names) {
    const values = series[name]!;
    let total = 0;
    for (let g = 0; g < G; g++) {
      const v = values[(sim * D + d) * G + g]!;
      out[k++] = v;
      total += v;
    }
    out[k++] = total;
  }
}

/**
 * Quantile rows of one result (type 7 over its simulations): for each level,
 * each date, `population,sample_id,date,quantile,<columns>`.
 */
export function quantileRows(
  result: TaskResult,
  series: Readonly<Record<string, readonly number[]>>,
  names: readonly string[],
  levels: readonly number[],
): Cell[][] {
  const G = result.groups.length;
  const D = result.dates.length;
  const S = result.nSims;
  const width = names.length * (G + 1);
  const table = new Float64Array(levels.length * D * width);
  const sample = new Float64Array(S);
  const cols = new Array<number>(width);
  const bySim = new Float64Array(S * width);
  for (let d = 0; d < D; d++) {
    for (let s = 0; s < S; s++) {
      columnValues(series, names, G, D, s, d, cols);
      for (let c = 0; c < width; c++) bySim[c * S + s] = cols[c]!;
    }
    for (let c = 0; c < width; c++) {
      sample.set(bySim.subarray(c * S, (c + 1) * S));
      sample.sort();
      levels.forEach(
        (level, q) => (table[(q * D + d) * width + c] = quantileSorted(sample, level)),
      );
    }
  }
  const rows: Cell[][] = [];
  levels.forEach((level, q) => {
    for (let d = 0; d < D; d++) {
      const row: Cell[] = [result.population.code, result.sample.id, result.dates[d]!, level];
      for (let c = 0; c < width; c++) row.push(table[(q * D + d) * width + c]!);
      rows.push(row);
    }
  });
  return rows;
}

/** Trajectory rows of one result: `population,sample_id,sim,date,<columns>`. */
export function trajectoryRows(
  result: TaskResult,
  series: Readonly<Record<string, readonly number[]>>,
  names: readonly string[],
): Cell[][] {
  const G = result.groups.length;
  const D = result.dates.length;
  const cols = new Array<number>(names.length * (G + 1));
  const rows: Cell[][] = [];
  for (let s = 0; s < result.nSims; s++) {
    for (let d = 0; d < D; d++) {
      columnValues(series, names, G, D, s, d, cols);
      rows.push([result.population.code, result.sample.id, s, result.dates[d]!, ...cols]);
    }
  }
  return rows;
}
