import type { TopLevelSpec } from 'vega-lite';
import { figureStem, VEGA_LITE_SCHEMA, type Figure } from './figure.js';
import {
  normalizedWeights,
  poolPosteriors,
  weightedValues,
  type PooledPosterior,
  type PosteriorParticles,
  type WeightedValue,
} from './posterior-summary.js';
import { FAN_COLOUR, PANEL, PANEL_COLUMNS } from './theme.js';

/** The most particles a location contributes to a figure (the figure's data stays small). */
export const MAX_PARTICLES_PER_LOCATION = 2_000;

/** Bars of one location's histogram: equal widths between its smallest and largest value. */
export const HISTOGRAM_BINS = 20;

/** One particle of a histogram: its location, the bin its value falls in, its weight (summing to 1 per location). */
export interface HistogramRow {
  readonly location: string;
  readonly binStart: number;
  readonly binEnd: number;
  readonly weight: number;
}

/** One particle of a pair plot: its two values and its weight relative to the location's heaviest particle (0..1]. */
export interface PairRow {
  readonly location: string;
  readonly x: number;
  readonly y: number;
  readonly weight: number;
}

/**
 * The pooled posteriors ({@link poolPosteriors}) with at most
 * {@link MAX_PARTICLES_PER_LOCATION} particles per location: the heaviest
 * ones, in their order, their weights renormalized to sum to 1.
 */
export function cappedPosteriors(input: readonly PosteriorParticles[]): PooledPosterior[] {
  return poolPosteriors(input).map((posterior) => {
    const heaviest = new Set(
      [...posterior.particles]
        .sort((a, b) => b.weight - a.weight)
        .slice(0, MAX_PARTICLES_PER_LOCATION),
    );
    const kept = posterior.particles.filter((p) => heaviest.has(p));
    const weights = normalizedWeights(kept.map((p) => p.weight));
    return { ...posterior, particles: kept.map((p, i) => ({ ...p, weight: weights[i]! })) };
  });
}

/** Each value's bin among {@link HISTOGRAM_BINS} equal bins spanning the sorted values (one bin around a single value). */
function binned(location: string, sorted: readonly WeightedValue[]): HistogramRow[] {
  const low = sorted[0]?.value ?? 0;
  const high = sorted.at(-1)?.value ?? 0;
  const pad = high > low ? 0 : Math.abs(low) * 0.05 || 0.5;
  const bins = high > low ? HISTOGRAM_BINS : 1;
  const width = (high + pad - (low - pad)) / bins;
  return sorted.map(({ value, weight }) => {
    const k = Math.min(bins - 1, Math.floor((value - (low - pad)) / width));
    const binStart = low - pad + k * width;
    return { location, binStart, binEnd: binStart + width, weight };
  });
}

type Unit = Extract<Extract<TopLevelSpec, { facet: unknown }>['spec'], { mark: unknown }>;

/** Per-location small multiples of one unit spec, axes per panel. */
function facetSpec(
  title: string,
  values: readonly { location: string }[],
  unit: Unit,
): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values: [...values] },
    facet: {
      field: 'location',
      type: 'nominal',
      title: null,
      sort: [...new Set(values.map((v) => v.location))],
    },
    columns: PANEL_COLUMNS,
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: { width: PANEL.width, height: PANEL.height, ...unit },
  };
}

/**
 * One figure per free quantity (`posterior_<name>`): per location, a histogram
 * of the pooled posterior ({@link cappedPosteriors}); a bar's height is the
 * share of the location's posterior weight in the bin. Bins are per location
 * (locations' values can differ by orders of magnitude, e.g. `init.I`).
 */
export function posteriorHistograms(input: readonly PosteriorParticles[]): Figure[] {
  const posteriors = cappedPosteriors(input);
  const names = [...new Set(posteriors.flatMap((p) => p.names))];
  return names.map((name) => {
    const title = `Posterior of ${name} by location`;
    const rows = posteriors.flatMap((p) => binned(p.population, weightedValues(p, name)));
    const spec = facetSpec(title, rows, {
      mark: { type: 'bar', color: FAN_COLOUR },
      encoding: {
        x: { field: 'binStart', type: 'quantitative', bin: { binned: true }, title: name },
        x2: { field: 'binEnd' },
        y: {
          aggregate: 'sum',
          field: 'weight',
          type: 'quantitative',
          // two short lines: a title taller than the panel pushes the panels apart
          title: ['Posterior', 'share (%)'],
          axis: { format: '.0%' },
        },
      },
    });
    return { name: figureStem('posterior', name), title, spec };
  });
}

/** The particles of a location holding both quantities, weighted relative to the heaviest. */
function pairRows(posterior: PooledPosterior, a: string, b: string): PairRow[] {
  const both = posterior.particles
    .map((p) => ({ x: p.values.get(a) ?? NaN, y: p.values.get(b) ?? NaN, weight: p.weight }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const heaviest = Math.max(...both.map((p) => p.weight));
  return both.map((p) => ({
    location: posterior.population,
    x: p.x,
    y: p.y,
    weight: heaviest > 0 ? p.weight / heaviest : 1,
  }));
}

/**
 * With two or more free quantities, one figure per pair `a`, `b` (`a` before
 * `b` in the names' order) named `posterior_pair_<a>_<b>`: per location, a
 * scatter of the particles ({@link cappedPosteriors}), opacity and size
 * growing with the particle's weight relative to the location's heaviest.
 */
export function posteriorPairs(input: readonly PosteriorParticles[]): Figure[] {
  const posteriors = cappedPosteriors(input);
  const names = [...new Set(posteriors.flatMap((p) => p.names))];
  const pairs = names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b] as const));
  return pairs.map(([a, b]) => {
    const title = `Posterior of ${b} against ${a} by location`;
    const rows = posteriors.flatMap((p) => pairRows(p, a, b));
    const weight = {
      field: 'weight',
      type: 'quantitative' as const,
      title: 'Weight (% of max)',
      legend: { format: '.0%' },
    };
    const spec = facetSpec(title, rows, {
      mark: { type: 'point', filled: true, color: FAN_COLOUR },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: a, scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', title: b, scale: { zero: false } },
        opacity: { ...weight, scale: { domain: [0, 1], range: [0.1, 0.9] } },
        size: { ...weight, scale: { domain: [0, 1], range: [4, 40] } },
      },
    });
    return { name: figureStem('posterior_pair', a, b), title, spec };
  });
}
