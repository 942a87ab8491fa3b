import { describe, expect, it } from 'vitest';
import type { Figure } from '../../../lib/figures/figure.js';
import {
  PAIR_LOCATIONS,
  PAIR_PARTICLES_PER_LOCATION,
  posteriorPairs,
  type PairRow,
} from '../../../lib/figures/posterior-pairs.js';
import type { PosteriorParticles } from '../../../lib/figures/posterior-summary.js';
import { renderSvg } from '../../../lib/figures/render.js';

/** The parts of the row x column spec the tests read. */
interface PairShape {
  title: string;
  data: { values: PairRow[] };
  facet: {
    row: { field: string; sort: string[] };
    column: { field: string; sort: string[] };
  };
  resolve: { scale: Record<string, string> };
  spec: {
    width: number;
    height: number;
    mark: { type: string };
    encoding: Record<string, Record<string, unknown>>;
  };
}
const shape = (figure: Figure | undefined) => figure!.spec as unknown as PairShape;
const count = (svg: string, text: string) => svg.split(text).length - 1;
/** The points of each panel, in drawing order (points carry no aria labels). */
const pointsPerPanel = (svg: string) =>
  [...svg.matchAll(/class="mark-symbol role-mark[^>]*>(.*?)<\/g>/g)].map((m) =>
    count(m[1]!, '<path'),
  );

const CA: PosteriorParticles = {
  population: 'CA',
  names: ['R0', 'init.I'],
  values: [
    [0, 100],
    [10, 300],
  ],
  weights: [1, 3],
};
const NY: PosteriorParticles = {
  population: 'NY',
  names: ['R0', 'init.I'],
  values: Array.from({ length: 20 }, (_, i) => [1 + i / 19, 5]),
  weights: Array.from({ length: 20 }, () => 2),
};
/** A location with three parameters and one particle. */
const location = (population: string): PosteriorParticles => ({
  population,
  names: ['a', 'b', 'c'],
  values: [[1, 2, 3]],
  weights: [1],
});

describe('posteriorPairs', () => {
  it('draws nothing for a single parameter, else one figure with a row per pair', () => {
    expect(posteriorPairs([{ ...CA, names: ['R0'], values: [[1], [2]] }])).toEqual([]);
    const figures = posteriorPairs([location('CA')]);
    expect(figures.map((f) => f.name)).toEqual(['posterior_pairs']);
    expect(shape(figures[0]).facet.row).toMatchObject({
      field: 'pair',
      sort: ['b against a', 'c against a', 'c against b'],
    });
    const rows = shape(figures[0]).data.values;
    expect(rows.map((r) => [r.pair, r.x, r.y])).toEqual([
      ['b against a', 1, 2],
      ['c against a', 1, 3],
      ['c against b', 2, 3],
    ]);
  });

  it('plots each particle at its two values, weighted relative to the heaviest', () => {
    const spec = shape(posteriorPairs([CA, NY])[0]);
    expect(spec.data.values.filter((r) => r.location === 'CA')).toEqual([
      { pair: 'init.I against R0', location: 'CA', x: 0, y: 100, weight: 1 / 3 },
      { pair: 'init.I against R0', location: 'CA', x: 10, y: 300, weight: 1 },
    ]);
    expect(spec.data.values.filter((r) => r.location === 'NY')).toHaveLength(20);
    expect(spec.facet.column).toMatchObject({ field: 'location', sort: ['CA', 'NY'] });
    expect(spec.title).toBe('Posterior of each pair of parameters by location');
  });

  it('draws small panels, point size and opacity by weight, scales per panel', () => {
    const spec = shape(posteriorPairs([CA, NY])[0]);
    expect(spec.spec).toMatchObject({ width: 120, height: 120, mark: { type: 'point' } });
    expect(spec.spec.encoding.x).toMatchObject({ field: 'x', scale: { zero: false } });
    expect(spec.spec.encoding.y).toMatchObject({ field: 'y', scale: { zero: false } });
    expect(spec.spec.encoding.opacity).toMatchObject({ field: 'weight' });
    expect(spec.spec.encoding.size).toMatchObject({ field: 'weight' });
    expect(spec.resolve.scale).toEqual({ x: 'independent', y: 'independent' });
  });

  it('shows the first locations in input order and says so in the title', () => {
    const names = ['WA', 'AK', 'TX', 'CA', 'NY', 'FL', 'MA', 'VT'];
    expect(PAIR_LOCATIONS).toBe(6);
    const [figure] = posteriorPairs(names.map(location));
    expect(shape(figure).facet.column.sort).toEqual(names.slice(0, 6));
    expect(new Set(shape(figure).data.values.map((r) => r.location))).toEqual(
      new Set(names.slice(0, 6)),
    );
    expect(figure!.title).toBe('Posterior of each pair of parameters, first 6 of 8 locations');
  });

  it('keeps the heaviest particles of each location', () => {
    const n = PAIR_PARTICLES_PER_LOCATION + 100;
    const [figure] = posteriorPairs([
      {
        population: 'TX',
        names: ['a', 'b'],
        values: Array.from({ length: n }, (_, i) => [i, -i]),
        weights: Array.from({ length: n }, (_, i) => i + 1),
      },
    ]);
    const xs = shape(figure).data.values.map((r) => r.x);
    expect(PAIR_PARTICLES_PER_LOCATION).toBe(300);
    expect(xs).toHaveLength(300);
    expect(Math.min(...xs)).toBe(100);
  });

  it('is drawn by Vega: a panel per pair and location, a point per particle', async () => {
    const svg = await renderSvg(posteriorPairs([CA, NY])[0]!);
    expect(count(svg, '>CA</text>')).toBe(1);
    expect(count(svg, '>NY</text>')).toBe(1);
    expect(count(svg, '<tspan>init.I</tspan><tspan x="0" dy="14">against R0</tspan>')).toBe(1);
    expect(pointsPerPanel(svg)).toEqual([2, 20]);
    const three = await renderSvg(posteriorPairs([location('CA'), location('NY')])[0]!);
    expect(pointsPerPanel(three)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
