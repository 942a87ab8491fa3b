import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../../lib/figures/render.js';
import { scenarioChart, type SampleMedian } from '../../../lib/figures/scenario-chart.js';
import { FAN_COLOUR, PALETTE } from '../../../lib/figures/theme.js';

/** The parts of the faceted spec the tests read. */
interface Shape {
  data: { values: SampleMedian[] };
  facet: { field: string; sort: string[] };
  resolve: { scale: { y: string } };
  spec: {
    mark: { type: string; color?: string; opacity?: number };
    encoding: Record<string, { field?: string; title?: string }>;
  };
}
const DATES = ['2024-01-06', '2024-01-13', '2024-01-20'];
/** `samples` lines per panel, sample s at s + d on date d. */
const medians = (panels: readonly string[], samples: number): SampleMedian[] =>
  panels.flatMap((panel) =>
    Array.from({ length: samples }, (_, sample) =>
      DATES.map((date, d) => ({ panel, sample, date, median: sample + d })),
    ).flat(),
  );
const chart = (values: SampleMedian[]) =>
  scenarioChart({
    name: 'scenarios_compartments_I',
    title: 'I',
    yTitle: 'I (people)',
    medians: values,
  });
const shape = (values: SampleMedian[]) => chart(values).spec as unknown as Shape;
const count = (svg: string, text: string) => svg.split(text).length - 1;

describe('scenarioChart', () => {
  it('draws every median by date, panels in first-seen order, y per panel', () => {
    const values = medians(['US-VT', 'US-MA'], 2);
    const spec = shape(values);
    expect(spec.data.values).toEqual(values);
    expect(spec.facet).toMatchObject({ field: 'panel', sort: ['US-VT', 'US-MA'] });
    expect(spec.resolve.scale.y).toBe('independent');
    expect(spec.spec.encoding.x).toMatchObject({ field: 'date' });
    expect(spec.spec.encoding.y).toMatchObject({ field: 'median', title: 'I (people)' });
  });

  it('gives each of up to eight samples a colour and a legend', () => {
    const spec = shape(medians(['US-MA'], PALETTE.length));
    expect(spec.spec.mark).toEqual({ type: 'line' });
    expect(spec.spec.encoding.color).toMatchObject({ field: 'sample', title: 'Sample' });
    expect(spec.spec.encoding.detail).toBeUndefined();
  });

  it('draws more samples in one translucent colour, fainter the more there are', () => {
    const nine = shape(medians(['US-MA'], PALETTE.length + 1));
    expect(nine.spec.mark).toEqual({ type: 'line', color: FAN_COLOUR, opacity: 0.6 });
    expect(nine.spec.encoding.color).toBeUndefined();
    expect(nine.spec.encoding.detail).toMatchObject({ field: 'sample' });
    expect(shape(medians(['US-MA'], 20)).spec.mark.opacity).toBeCloseTo(0.4, 12);
    expect(shape(medians(['US-MA'], 100)).spec.mark.opacity).toBe(0.15);
  });

  it('is drawn by Vega: a line per sample and panel, a legend only when coloured', async () => {
    const coloured = await renderSvg(chart(medians(['US-VT', 'US-MA'], 3)));
    expect(count(coloured, 'aria-roledescription="line mark"')).toBe(2 * 3);
    expect(count(coloured, 'aria-roledescription="legend"')).toBe(1);
    expect(count(coloured, '>Sample</text>')).toBe(1);
    const crowd = await renderSvg(chart(medians(['US-MA'], 12)));
    expect(count(crowd, 'aria-roledescription="line mark"')).toBe(12);
    expect(count(crowd, 'aria-roledescription="legend"')).toBe(0);
    expect(count(crowd, `stroke="${FAN_COLOUR}"`)).toBe(12);
  });
});
