import { describe, expect, it } from 'vitest';
import { quantiles } from '../../../lib/engine/quantiles.js';
import { loadExperiment } from '../../../lib/experiment/load.js';
import type { TaskResult } from '../../../lib/experiment/task.js';
import type { FanPoint } from '../../../lib/figures/bands.js';
import type { Figure } from '../../../lib/figures/figure.js';
import { renderSvg } from '../../../lib/figures/render.js';
import type { SampleMedian } from '../../../lib/figures/scenario-chart.js';
import { EnsembleFigures } from '../../../pipeline-scripts/ensemble-figures.js';
import { EXPERIMENT } from './helpers.js';

/** The tiny SIR experiment (weekly output), its output config replaced when given. */
const experiment = (output?: string) =>
  loadExperiment(
    new Map(Object.entries({ ...EXPERIMENT, ...(output ? { 'config/output.yaml': output } : {}) })),
  );

/** `n` Saturdays from 2024-01-06. */
const saturdays = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    new Date(Date.UTC(2024, 0, 6 + 7 * i)).toISOString().slice(0, 10),
  );

/** A result of 5 simulations over 3 weeks and two groups; value(sim, date, group) fills every series. */
function result(
  population: string,
  sample: number,
  value: (sim: number, date: number, group: number) => number,
  dates = saturdays(3),
): TaskResult {
  const [nSims, groups] = [5, ['0-17', '18+']];
  const series = Array.from({ length: nSims * dates.length * groups.length }, (_, k) =>
    value(Math.floor(k / (dates.length * 2)), Math.floor(k / 2) % dates.length, k % 2),
  );
  return {
    version: 1,
    taskIndex: 0,
    inputSha256: 'unused',
    population: { code: population, name: population, size: 1000 },
    sample: { id: sample, values: {} },
    nSims,
    groups,
    dates,
    compartments: { I: series },
    transitions: { S_to_I: series.map((v) => v * 2) },
  };
}

/** The type 7 median over simulations of the group total at each date. */
const medianOfTotals = (r: TaskResult, name: 'I', dates = r.dates.length) =>
  Array.from({ length: dates }, (_, d) => {
    const totals = Array.from({ length: r.nSims }, (_, s) =>
      r.groups.reduce((sum, _g, g) => sum + r.compartments[name]![(s * dates + d) * 2 + g]!, 0),
    );
    return quantiles(totals, [0.5])[0]!;
  });

const figuresOf = (results: TaskResult[], output?: string) => {
  const figures = new EnsembleFigures(experiment(output));
  results.forEach((r) => figures.add(r));
  return figures.finish();
};
const values = <Row>(figure: Figure | undefined) =>
  (figure!.spec as unknown as { data: { values: (Row & { kind?: string })[] } }).data.values;
const fans = (figure: Figure | undefined, panel: string) =>
  values<FanPoint>(figure).filter((v) => v.kind === 'fan' && v.panel === panel);

/** Spread over simulations, different per location: ((s * 7 + d * 3 + g * 5) mod 11) * scale. */
const spread = (scale: number) => (s: number, d: number, g: number) =>
  ((s * 7 + d * 3 + g * 5) % 11) * scale;

describe('EnsembleFigures', () => {
  it('draws a fan chart per series when each location has one sample', async () => {
    const results = [result('US-MA', 0, spread(1)), result('US-VT', 0, spread(10))];
    const figures = figuresOf(results);
    expect(figures.map((f) => f.name)).toEqual(['fan_compartments_I', 'fan_transitions_S_to_I']);
    const yTitles = figures.map((f) =>
      (
        f.spec as unknown as { spec: { layer: { encoding: { y?: { title?: string } } }[] } }
      ).spec.layer.flatMap((l) => l.encoding.y?.title ?? []),
    );
    expect(yTitles).toEqual([['I (people)'], ['S_to_I (new per week)']]);
    for (const [i, panel] of ['US-MA', 'US-VT'].entries()) {
      const fan = fans(figures[0], panel);
      expect(fan.map((p) => p.date)).toEqual(saturdays(3));
      expect(fan.map((p) => p.q50)).toEqual(medianOfTotals(results[i]!, 'I'));
      expect(fans(figures[1], panel).map((p) => p.q50)).toEqual(fan.map((p) => p.q50 * 2));
    }
    expect(await renderSvg(figures[0]!)).toContain('>US-VT</text>');
  });

  it('overlays every sample\u2019s median when a location has several samples', async () => {
    const results = [result('US-MA', 0, spread(1)), result('US-MA', 1, spread(3))];
    const [figure] = figuresOf(results);
    expect(figure!.name).toBe('scenarios_compartments_I');
    const medians = values<SampleMedian>(figure);
    for (const sample of [0, 1])
      expect(medians.filter((m) => m.sample === sample).map((m) => [m.date, m.median])).toEqual(
        saturdays(3).map((date, d) => [date, medianOfTotals(results[sample]!, 'I')[d]]),
      );
    expect(new Set(medians.map((m) => m.panel))).toEqual(new Set(['US-MA']));
    expect(await renderSvg(figure!)).toContain('aria-roledescription="line mark"');
  });

  it('thins a long series to at most 200 dates, keeping the first and the last', () => {
    const dates = saturdays(450);
    const [figure] = figuresOf([result('US-MA', 0, (_s, d) => d, dates)]);
    const fan = fans(figure, 'US-MA');
    expect(fan.length).toBeLessThanOrEqual(200);
    expect(fan.length).toBe(151);
    expect(fan[0]!.date).toBe(dates[0]);
    expect(fan.at(-1)!.date).toBe(dates[449]);
    // each total is 2d (two groups), whatever the simulation
    expect(fan.every((p) => p.q50 === 2 * dates.indexOf(p.date))).toBe(true);
    const short = fans(figuresOf([result('US-MA', 0, (_s, d) => d, saturdays(200))])[0], 'US-MA');
    expect(short).toHaveLength(200);
  });

  it('draws the series the output config\u2019s quantiles select', () => {
    const results = [result('US-MA', 0, spread(1))];
    const levels = 'levels: [0.5]';
    const onlyI = `output:\n  quantiles: {${levels}, compartments: [I], transitions: false}\n`;
    expect(figuresOf(results, onlyI).map((f) => f.name)).toEqual(['fan_compartments_I']);
    const onlyTransitions = `output:\n  quantiles: {${levels}, compartments: false}\n`;
    expect(figuresOf(results, onlyTransitions).map((f) => f.name)).toEqual([
      'fan_transitions_S_to_I',
    ]);
    const none = `output:\n  quantiles: {${levels}, compartments: false, transitions: false}\n`;
    expect(figuresOf(results, none)).toEqual([]);
  });
});
