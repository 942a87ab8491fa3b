import { quantiles } from '../lib/engine/quantiles.js';
import type { TaskResult } from '../lib/experiment/task.js';
import { seriesHeaders } from './output-tables.js';
import { columnsOf, type Cell, type Column } from './table-types.js';

/** Results of one location, pooled: every projected trajectory of every task counts once. */
export interface LocationPool {
  readonly code: string;
  readonly results: TaskResult[];
}

/** Sorted union of the results' dates. */
function allDates(results: readonly TaskResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.dates))].sort();
}

/**
 * Pooled projection quantiles of one location: for each level and date,
 * `population,date,quantile,<name>_<group>...,<name>_total` over every
 * trajectory of every task of the location that reaches that date.
 */
export function pooledQuantileRows(
  pool: LocationPool,
  kind: 'compartments' | 'transitions',
  names: readonly string[],
  levels: readonly number[],
): Cell[][] {
  const dates = allDates(pool.results);
  const G = pool.results[0]!.groups.length;
  const byDate = dates.map((date) => {
    const columns: number[][] = names.flatMap(() => Array.from({ length: G + 1 }, () => []));
    for (const r of pool.results) {
      const d = r.dates.indexOf(date);
      if (d < 0) continue;
      const D = r.dates.length;
      names.forEach((name, k) => {
        const series = r[kind][name]!;
        for (let s = 0; s < r.nSims; s++) {
          let total = 0;
          for (let g = 0; g < G; g++) {
            const v = series[(s * D + d) * G + g]!;
            columns[k * (G + 1) + g]!.push(v);
            total += v;
          }
          columns[k * (G + 1) + G]!.push(total);
        }
      });
    }
    return columns.map((values) => quantiles(values, levels));
  });
  return levels.flatMap((level, q) =>
    dates.map((date, i) => [pool.code, date, level, ...byDate[i]!.map((c) => c[q]!)]),
  );
}

/** Columns of {@link pooledQuantileRows}. */
export function pooledQuantileColumns(
  names: readonly string[],
  groups: readonly string[],
): Column[] {
  return [
    { name: 'population', type: 'string' },
    { name: 'date', type: 'date' },
    { name: 'quantile', type: 'double' },
    ...columnsOf('double', seriesHeaders(names, groups)),
  ];
}

/** Samples of the compared series (reported admissions) by date, pooled over the location's tasks. */
export function comparedSamples(pool: LocationPool): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of pool.results) {
    const D = r.dates.length;
    const series = r.calibration!.series;
    r.dates.forEach((date, d) => {
      const values = out.get(date) ?? [];
      for (let s = 0; s < r.nSims; s++) values.push(series[s * D + d]!);
      out.set(date, values);
    });
  }
  return out;
}

/** `population,date,observed,quantile,value` from the location's compared samples ({@link comparedSamples}): the compared series' quantiles against the data the fit saw. */
export function calibrationQuantileRows(
  pool: LocationPool,
  levels: readonly number[],
  samples: ReadonlyMap<string, number[]>,
): Cell[][] {
  const observed = new Map<string, number>();
  for (const r of pool.results)
    r.calibration!.observed.dates.forEach((date, i) =>
      observed.set(date, r.calibration!.observed.values[i]!),
    );
  const rows: Cell[][] = [];
  for (const [date, values] of [...samples].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const qs = quantiles(values, levels);
    levels.forEach((level, q) =>
      rows.push([pool.code, date, observed.get(date) ?? null, level, qs[q]!]),
    );
  }
  return rows;
}

/** `population,sample_id,particle,weight,distance,<free names>`: every task's posterior particles. */
export function posteriorRows(result: TaskResult): Cell[][] {
  const c = result.calibration!;
  return c.particles.values.map((values, i) => [
    result.population.code,
    result.sample.id,
    i,
    c.particles.weights[i]!,
    c.particles.distances[i]!,
    ...values,
  ]);
}

/** `population,sample_id,generation,tolerance,accepted,simulations,ess`: how each task's calibration went. */
export function generationRows(result: TaskResult): Cell[][] {
  return result.calibration!.generations.map((g) => [
    result.population.code,
    result.sample.id,
    g.generation,
    g.tolerance ?? null,
    g.accepted,
    g.simulations,
    Math.round(g.ess * 10) / 10,
  ]);
}
