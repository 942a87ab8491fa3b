import type { TopLevelSpec } from 'vega-lite';
import { figureStem, VEGA_LITE_SCHEMA, type Figure } from './figure.js';
import {
  cappedPosteriors,
  weightedValues,
  type PosteriorParticles,
  type WeightedValue,
} from './posterior-summary.js';
import { FAN_COLOUR, PANEL, PANEL_COLUMNS } from './theme.js';

/** Drawn by its own module; named here too, beside the histograms, for the stages. */
export { posteriorPairs } from './posterior-pairs.js';

/** Bars of one location's histogram: equal widths between its smallest and largest value. */
export const HISTOGRAM_BINS = 20;

/** One particle of a histogram: its location, the bin its value falls in, its weight (summing to 1 per location). */
export interface HistogramRow {
  readonly location: string;
  readonly binStart: number;
  readonly binEnd: number;
  readonly weight: number;
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
          title: 'Posterior share (%)',
          axis: { format: '.0%' },
        },
      },
    });
    return { name: figureStem('posterior', name), title, spec };
  });
}
