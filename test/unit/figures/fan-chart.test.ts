import { describe, expect, it } from 'vitest';
import { fanPoint, type FanPoint } from '../../../lib/figures/bands.js';
import { fanChart, type FanChartInput } from '../../../lib/figures/fan-chart.js';
import { renderSvg } from '../../../lib/figures/render.js';
import { PANEL, PANEL_COLUMNS } from '../../../lib/figures/theme.js';

/** The parts of the faceted, layered spec the tests read. */
interface Shape {
  data: { values: ({ kind: string; panel: string } & Record<string, unknown>)[] };
  facet: { field: string; sort: string[] };
  columns: number;
  resolve: { scale: { y: string } };
  spec: {
    width: number;
    height: number;
    layer: {
      transform: { filter: string }[];
      mark: { type: string; opacity?: number };
      encoding: Record<string, { field?: string; title?: string }>;
    }[];
  };
}
const shape = (input: FanChartInput) => fanChart(input).spec as unknown as Shape;
const rows = (input: FanChartInput, kind: string) =>
  shape(input).data.values.filter((v) => v.kind === kind);
const count = (svg: string, text: string) => svg.split(text).length - 1;

const DATES = ['2024-01-06', '2024-01-13', '2024-01-20'];
/** Three dates of a fan per panel, the samples growing with the date. */
const fans = (panel: string): FanPoint[] =>
  DATES.map((date, d) =>
    fanPoint(
      panel,
      date,
      Float64Array.from([1, 2, 3, 4], (v) => v * (d + 1)),
    ),
  );
const FORECAST: FanChartInput = {
  name: 'fan_calibration',
  title: 'Reported admissions',
  yTitle: 'Admissions per week',
  fans: [...fans('Texas'), ...fans('Alaska')],
  observed: [
    { panel: 'Texas', date: '2024-01-06', value: 3 },
    { panel: 'Alaska', date: '2024-01-13', value: 5 },
  ],
  windows: [{ panel: 'Texas', start: '2023-12-31', end: '2024-01-13' }],
  referenceDate: '2024-01-13',
};

describe('fanChart', () => {
  it('keeps every fan point, panels in first-seen order, y per panel', () => {
    const spec = shape(FORECAST);
    expect(fanChart(FORECAST)).toMatchObject({
      name: 'fan_calibration',
      title: 'Reported admissions',
    });
    expect(rows(FORECAST, 'fan')).toEqual(FORECAST.fans.map((f) => ({ kind: 'fan', ...f })));
    expect(spec.facet).toMatchObject({ field: 'panel', sort: ['Texas', 'Alaska'] });
    expect(spec.columns).toBe(2);
    expect(spec.resolve.scale.y).toBe('independent');
    expect(spec.spec).toMatchObject({ width: PANEL.width, height: PANEL.height });
  });

  it('caps the columns of a wide grid', () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].flatMap(fans);
    expect(shape({ ...FORECAST, fans: many }).columns).toBe(PANEL_COLUMNS);
  });

  it('adds the observed points, the fitting windows and a reference rule per panel', () => {
    expect(rows(FORECAST, 'observed')).toEqual(
      FORECAST.observed!.map((o) => ({ kind: 'observed', ...o })),
    );
    expect(rows(FORECAST, 'window')).toEqual([
      { kind: 'window', panel: 'Texas', start: '2023-12-31', end: '2024-01-13' },
    ]);
    expect(rows(FORECAST, 'reference')).toEqual([
      { kind: 'reference', panel: 'Texas', date: '2024-01-13' },
      { kind: 'reference', panel: 'Alaska', date: '2024-01-13' },
    ]);
  });

  it('draws the bands darker inwards under the median, which carries the y title', () => {
    const layers = shape(FORECAST).spec.layer;
    const areas = layers.filter((l) => l.mark.type === 'area');
    expect(areas.map((l) => [l.encoding.y!.field, l.encoding.y2!.field, l.mark.opacity])).toEqual([
      ['q025', 'q975', 0.15],
      ['q10', 'q90', 0.25],
      ['q25', 'q75', 0.4],
    ]);
    const median = layers.find((l) => l.mark.type === 'line')!;
    expect(median.encoding.y).toMatchObject({ field: 'q50', title: 'Admissions per week' });
    expect(layers.map((l) => l.transform[0]!.filter)).toEqual([
      "datum.kind === 'window'",
      ...Array(4).fill("datum.kind === 'fan'"),
      "datum.kind === 'observed'",
      "datum.kind === 'reference'",
    ]);
  });

  it('draws only fans for a simulation run', () => {
    const { name, title, yTitle } = FORECAST;
    const input = { name, title, yTitle, fans: fans('US-MA') };
    expect(shape(input).data.values.map((v) => v.kind)).toEqual(['fan', 'fan', 'fan']);
  });

  it('is drawn by Vega: per panel three bands and a median, the data, the window and the rule', async () => {
    const svg = await renderSvg(fanChart(FORECAST));
    expect(count(svg, '>Texas</text>')).toBe(1);
    expect(count(svg, '>Alaska</text>')).toBe(1);
    expect(count(svg, 'aria-roledescription="area mark"')).toBe(2 * 3);
    expect(count(svg, 'aria-roledescription="line mark"')).toBe(2);
    expect(count(svg, 'aria-roledescription="point"')).toBe(2);
    expect(count(svg, 'aria-roledescription="rule mark"')).toBe(2);
    expect(count(svg, 'aria-roledescription="rect mark"')).toBe(1);
    expect(svg.indexOf('>Texas</text>')).toBeLessThan(svg.indexOf('>Alaska</text>'));
  });
});
