import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runEnsemble } from '../../../lib/engine/ensemble.js';
import type { ModelSpec } from '../../../lib/engine/spec.js';
import { quantiles } from '../../../lib/engine/quantiles.js';
import { seirSpec, sirSpec } from '../../../lib/engine/reference-models.js';

/** Reference quantile table of the peer engine (epydemix 1.3.2): level -> column -> 200 daily values. */
function readReference(name: string): Map<number, Map<string, number[]>> {
  const [header, ...rows] = readFileSync(
    new URL(`../../fixtures/reference/${name}`, import.meta.url),
    'utf8',
  )
    .trim()
    .split('\n');
  const columns = header!.split(',');
  const table = new Map<number, Map<string, number[]>>();
  for (const row of rows) {
    const cells = row.split(',');
    const level = Number(cells[1]);
    const byColumn = table.get(level) ?? new Map<string, number[]>();
    columns
      .slice(2)
      .forEach((column, k) =>
        byColumn.set(column, [...(byColumn.get(column) ?? []), Number(cells[k + 2])]),
      );
    table.set(level, byColumn);
  }
  return table;
}

// More runs than the peer (100) so our side of the comparison carries little sampling noise.
const SIMS = 1000;

function finalStats(spec: ModelSpec, last: string) {
  const { compartments, transitions } = runEnsemble(spec, {
    nSims: SIMS,
    resample: 'daily',
    seedKeys: [12345],
  });
  const finals = Array.from({ length: SIMS }, (_, s) => compartments[last]![(s + 1) * 200 - 1]!);
  const mean = finals.reduce((a, b) => a + b, 0) / SIMS;
  const sd = Math.sqrt(finals.reduce((a, b) => a + (b - mean) ** 2, 0) / (SIMS - 1));
  return {
    mean,
    sd,
    series: compartments as Record<string, Float64Array>,
    flows: transitions as Record<string, Float64Array>,
  };
}

function expectBandsOverlap(
  series: Record<string, Float64Array>,
  reference: Map<number, Map<string, number[]>>,
): void {
  const lower = reference.get(0.025)!;
  const upper = reference.get(0.975)!;
  let checked = 0;
  for (const [name, values] of Object.entries(series)) {
    for (let d = 0; d < 200; d++) {
      const [lo, hi] = quantiles(
        Array.from({ length: SIMS }, (_, s) => values[s * 200 + d]!),
        [0.025, 0.975],
      );
      const refLo = lower.get(`${name}_0`)![d]!;
      const refHi = upper.get(`${name}_0`)![d]!;
      if (!(lo! <= refHi && refLo <= hi!))
        throw new Error(
          `${name} on day ${d}: band [${lo}, ${hi}] misses the reference [${refLo}, ${refHi}]`,
        );
      checked++;
    }
  }
  expect(checked).toBe(Object.keys(series).length * 200);
}

describe('agreement with the peer engine (shared/reference, 100 runs, seed 12345)', () => {
  it('SIR: mean final size within 1%, its spread within 25%, 95% bands of every compartment and transition overlapping every day', () => {
    const { mean, sd, series, flows } = finalStats(sirSpec(), 'R');
    expect(Math.abs(mean / 949_870.5 - 1)).toBeLessThan(0.01);
    expect(Math.abs(sd / 368 - 1)).toBeLessThan(0.25);
    expectBandsOverlap(series, readReference('sir_quantiles_compartments.csv'));
    expectBandsOverlap(flows, readReference('sir_quantiles_transitions.csv'));
  });

  it('SEIR: mean final size within 1%, its spread within 25%, 95% bands of every compartment and transition overlapping every day', () => {
    const { mean, sd, series, flows } = finalStats(seirSpec(), 'Recovered');
    expect(Math.abs(mean / 944_310 - 1)).toBeLessThan(0.01);
    expect(Math.abs(sd / 1958 - 1)).toBeLessThan(0.25);
    expectBandsOverlap(series, readReference('seir_quantiles_compartments.csv'));
    expectBandsOverlap(flows, readReference('seir_quantiles_transitions.csv'));
  });
});
