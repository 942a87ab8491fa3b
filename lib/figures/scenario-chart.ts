import type { TopLevelSpec } from 'vega-lite';
import { VEGA_LITE_SCHEMA, type Figure } from './figure.js';
import { FAN_COLOUR, PALETTE, PANEL, PANEL_COLUMNS } from './theme.js';

/** One date of one sample's median. */
export interface SampleMedian {
  readonly panel: string;
  readonly sample: number;
  readonly date: string;
  readonly median: number;
}

/** Samples per panel up to which each sample gets its own colour and a legend. */
const COLOURED_SAMPLES = PALETTE.length;

/**
 * A scenario run's medians: per panel (location) one line per sampled
 * parameter set, overlaid. Up to eight samples are coloured with a legend;
 * more are drawn in one colour, translucent, so the spread reads as a band.
 */
export function scenarioChart(input: {
  readonly name: string;
  readonly title: string;
  readonly yTitle: string;
  readonly medians: readonly SampleMedian[];
}): Figure {
  const panels = [...new Set(input.medians.map((m) => m.panel))];
  const samples = new Set(input.medians.map((m) => m.sample)).size;
  const coloured = samples <= COLOURED_SAMPLES;
  const line = coloured
    ? { type: 'line' }
    : { type: 'line', color: FAN_COLOUR, opacity: Math.max(0.15, Math.min(0.6, 8 / samples)) };
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: input.title,
    data: { values: input.medians },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
    columns: Math.min(PANEL_COLUMNS, panels.length),
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: PANEL.width,
      height: PANEL.height,
      mark: line,
      encoding: {
        x: { field: 'date', type: 'temporal', title: 'Date', scale: { type: 'utc' } },
        y: { field: 'median', type: 'quantitative', title: input.yTitle },
        ...(coloured
          ? { color: { field: 'sample', type: 'nominal', title: 'Sample' } }
          : { detail: { field: 'sample', type: 'nominal' } }),
      },
    },
  } as unknown as TopLevelSpec;
  return { name: input.name, title: input.title, spec };
}
