import type { TopLevelSpec } from 'vega-lite';
import { VEGA_LITE_SCHEMA, type Figure } from './figure.js';
import {
  cappedPosteriors,
  type PooledPosterior,
  type PosteriorParticles,
} from './posterior-summary.js';
import { FAN_COLOUR } from './theme.js';

/** Locations a pair plot shows: the first ones, in input order (the posterior table has them all). */
export const PAIR_LOCATIONS = 6;

/** The most particles of a location a pair plot draws: its heaviest. */
export const PAIR_PARTICLES_PER_LOCATION = 300;

/** Width and height of one pair-plot panel, in pixels. */
const PAIR_PANEL = 120;

/** One particle of a pair plot: its pair ({@link pairLabel}), its two values and its weight relative to the location's heaviest particle (0..1]. */
export interface PairRow {
  readonly pair: string;
  readonly location: string;
  readonly x: number;
  readonly y: number;
  readonly weight: number;
}

/** The particles of a location holding both quantities, weighted relative to the heaviest. */
function pairRows(posterior: PooledPosterior, a: string, b: string): PairRow[] {
  const both = posterior.particles
    .map((p) => ({ x: p.values.get(a) ?? NaN, y: p.values.get(b) ?? NaN, weight: p.weight }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const heaviest = Math.max(...both.map((p) => p.weight));
  return both.map((p) => ({
    pair: pairLabel(a, b),
    location: posterior.population,
    x: p.x,
    y: p.y,
    weight: heaviest > 0 ? p.weight / heaviest : 1,
  }));
}

/** The row label of the pair `a` (x), `b` (y). */
export function pairLabel(a: string, b: string): string {
  return `${b} against ${a}`;
}

/** A row header on two lines: `b`, then `against a` (parameter names have no spaces). */
const TWO_LINES =
  "[split(datum.value, ' against ')[0], 'against ' + split(datum.value, ' against ')[1]]";

/**
 * With two or more free quantities, ONE figure `posterior_pairs`: a row per
 * pair `a`, `b` (`a` before `b` in the names' order; `b` up, `a` across), a
 * column per location (the first {@link PAIR_LOCATIONS} in input order), each
 * panel a scatter of the location's {@link PAIR_PARTICLES_PER_LOCATION}
 * heaviest particles ({@link cappedPosteriors}), opacity and size growing
 * with the particle's weight relative to the location's heaviest.
 */
export function posteriorPairs(input: readonly PosteriorParticles[]): Figure[] {
  const all = cappedPosteriors(input, PAIR_PARTICLES_PER_LOCATION);
  const posteriors = all.slice(0, PAIR_LOCATIONS);
  const names = [...new Set(posteriors.flatMap((p) => p.names))];
  const pairs = names.flatMap((a, i) => names.slice(i + 1).map((b) => pairLabel(a, b)));
  if (pairs.length === 0) return [];
  const title =
    all.length > PAIR_LOCATIONS
      ? `Posterior of each pair of parameters, first ${PAIR_LOCATIONS} of ${all.length} locations`
      : 'Posterior of each pair of parameters by location';
  const rows = names.flatMap((a, i) =>
    names.slice(i + 1).flatMap((b) => posteriors.flatMap((p) => pairRows(p, a, b))),
  );
  return [{ name: 'posterior_pairs', title, spec: pairSpec(title, rows, pairs) }];
}

/** A particle's weight relative to its location's heaviest, as opacity and size. */
const PAIR_WEIGHT = {
  field: 'weight',
  type: 'quantitative',
  title: 'Weight (% of max)',
  legend: { format: '.0%' },
} as const;

/** The x and y channels of a pair panel: scales per panel, three ticks, no grid lines. */
const PAIR_AXIS = {
  type: 'quantitative',
  title: null,
  scale: { zero: false },
  axis: { grid: false, tickCount: 3 },
} as const;

/** The grid of {@link posteriorPairs}: pairs down (in `pairs` order), locations across. */
function pairSpec(title: string, rows: readonly PairRow[], pairs: readonly string[]): TopLevelSpec {
  const header = { labelAngle: 0, labelAlign: 'left', labelExpr: TWO_LINES } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values: [...rows] },
    facet: {
      row: { field: 'pair', type: 'nominal', title: null, sort: [...pairs], header },
      column: {
        field: 'location',
        type: 'nominal',
        title: null,
        sort: [...new Set(rows.map((r) => r.location))],
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: PAIR_PANEL,
      height: PAIR_PANEL,
      mark: { type: 'point', filled: true, color: FAN_COLOUR, aria: false },
      encoding: {
        x: { ...PAIR_AXIS, field: 'x' },
        y: { ...PAIR_AXIS, field: 'y' },
        opacity: { ...PAIR_WEIGHT, scale: { domain: [0, 1], range: [0.1, 0.9] } },
        size: { ...PAIR_WEIGHT, scale: { domain: [0, 1], range: [4, 30] } },
      },
    },
  };
}
