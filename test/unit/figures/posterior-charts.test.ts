import { describe, expect, it } from 'vitest';
import {
  HISTOGRAM_BINS,
  posteriorHistograms,
  type HistogramRow,
} from '../../../lib/figures/posterior-charts.js';
import type { Figure } from '../../../lib/figures/figure.js';
import type { PosteriorParticles } from '../../../lib/figures/posterior-summary.js';
import { renderSvg } from '../../../lib/figures/render.js';
import { PANEL, PANEL_COLUMNS } from '../../../lib/figures/theme.js';

/** The parts of a faceted spec the tests read. */
interface FacetShape<Row> {
  data: { values: Row[] };
  facet: { field: string; sort: string[] };
  columns: number;
  resolve: { scale: Record<string, string> };
  spec: {
    width: number;
    height: number;
    mark: { type: string };
    encoding: Record<string, Record<string, unknown>>;
  };
}
const shape = <Row>(figure: Figure | undefined) => figure!.spec as unknown as FacetShape<Row>;
const count = (svg: string, text: string) => svg.split(text).length - 1;

const CA: PosteriorParticles = {
  population: 'CA',
  names: ['R0', 'init.I'],
  values: [
    [0, 100],
    [10, 300],
  ],
  weights: [1, 3],
};
/** 20 particles, R0 spread evenly (one per bin), init.I all 5. */
const NY: PosteriorParticles = {
  population: 'NY',
  names: ['R0', 'init.I'],
  values: Array.from({ length: 20 }, (_, i) => [1 + i / 19, 5]),
  weights: Array.from({ length: 20 }, () => 2),
};

describe('posteriorHistograms', () => {
  it('draws one figure per parameter, a bar per bin summing the weights, faceted by location', () => {
    const figures = posteriorHistograms([CA, NY]);
    expect(figures.map((f) => f.name)).toEqual(['posterior_R0', 'posterior_init-I']);
    const spec = shape<HistogramRow>(figures[0]);
    expect(spec.facet).toMatchObject({ field: 'location', sort: ['CA', 'NY'] });
    expect(spec.columns).toBe(PANEL_COLUMNS);
    expect(spec.resolve.scale).toEqual({ x: 'independent', y: 'independent' });
    expect(spec.spec).toMatchObject({
      width: PANEL.width,
      height: PANEL.height,
      mark: { type: 'bar' },
    });
    expect(spec.spec.encoding.x).toMatchObject({
      field: 'binStart',
      bin: { binned: true },
      title: 'R0',
    });
    expect(spec.spec.encoding.x2).toEqual({ field: 'binEnd' });
    expect(spec.spec.encoding.y).toMatchObject({ aggregate: 'sum', field: 'weight' });
  });

  it('bins each location over its own range, one row per particle with its normalized weight', () => {
    const rows = shape<HistogramRow>(posteriorHistograms([CA, NY])[0]).data.values;
    expect(rows.filter((r) => r.location === 'CA')).toEqual([
      { location: 'CA', binStart: 0, binEnd: 0.5, weight: 0.25 },
      { location: 'CA', binStart: 9.5, binEnd: 10, weight: 0.75 },
    ]);
    const ny = rows.filter((r) => r.location === 'NY');
    expect(new Set(ny.map((r) => r.binStart)).size).toBe(HISTOGRAM_BINS);
    expect(ny[0]!.binStart).toBe(1);
    expect(ny.at(-1)!.binEnd).toBeCloseTo(2, 12);
    expect(ny.reduce((s, r) => s + r.weight, 0)).toBeCloseTo(1, 12);
  });

  it('puts a location whose values are all equal in one bin around the value', () => {
    const rows = shape<HistogramRow>(posteriorHistograms([NY])[1]).data.values;
    expect(new Set(rows.map((r) => `${r.binStart}..${r.binEnd}`))).toEqual(new Set(['4.75..5.25']));
  });

  it('is drawn by Vega: a panel per location and a bar per non-empty bin', async () => {
    const svg = await renderSvg(posteriorHistograms([CA, NY])[0]!);
    expect(count(svg, '>CA</text>')).toBe(1);
    expect(count(svg, '>NY</text>')).toBe(1);
    expect(count(svg, 'aria-roledescription="bar"')).toBe(2 + HISTOGRAM_BINS);
  });
});
