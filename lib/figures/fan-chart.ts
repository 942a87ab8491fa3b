import type { TopLevelSpec } from 'vega-lite';
import type { FanPoint } from './bands.js';
import { VEGA_LITE_SCHEMA, type Figure } from './figure.js';
import { DATA_COLOUR, FAN_COLOUR, MARK_COLOUR, PANEL, PANEL_COLUMNS } from './theme.js';

/** An observed value drawn as a point over a fan. */
export interface ObservedPoint {
  readonly panel: string;
  readonly date: string;
  readonly value: number;
}

/** What a fan chart draws: fans per panel, and for a forecast the data, fitting window and reference date. */
export interface FanChartInput {
  readonly name: string;
  readonly title: string;
  /** The y axis title, with its unit. */
  readonly yTitle: string;
  readonly fans: readonly FanPoint[];
  readonly observed?: readonly ObservedPoint[];
  /** The fitting window per panel, shaded. */
  readonly windows?: readonly {
    readonly panel: string;
    readonly start: string;
    readonly end: string;
  }[];
  /** The reference date, marked by a rule in every panel. */
  readonly referenceDate?: string;
}

const X = { field: 'date', type: 'temporal', title: 'Date', scale: { type: 'utc' } } as const;

/** The three bands (95%, 80%, 50%) as areas, darker inwards, then the median. */
const FAN_LAYERS = [
  ['q025', 'q975', 0.15],
  ['q10', 'q90', 0.25],
  ['q25', 'q75', 0.4],
].map(([low, high, opacity]) => ({
  transform: [{ filter: "datum.kind === 'fan'" }],
  mark: { type: 'area', color: FAN_COLOUR, opacity: opacity as number },
  encoding: {
    x: X,
    y: { field: low as string, type: 'quantitative' },
    y2: { field: high as string },
  },
}));

function layers(yTitle: string) {
  return [
    {
      transform: [{ filter: "datum.kind === 'window'" }],
      mark: { type: 'rect', color: '#000000', opacity: 0.06 },
      encoding: { x: { ...X, field: 'start' }, x2: { field: 'end' } },
    },
    ...FAN_LAYERS,
    {
      transform: [{ filter: "datum.kind === 'fan'" }],
      mark: { type: 'line', color: FAN_COLOUR },
      encoding: { x: X, y: { field: 'q50', type: 'quantitative', title: yTitle } },
    },
    {
      transform: [{ filter: "datum.kind === 'observed'" }],
      mark: { type: 'point', color: DATA_COLOUR },
      encoding: { x: X, y: { field: 'value', type: 'quantitative' } },
    },
    {
      transform: [{ filter: "datum.kind === 'reference'" }],
      mark: { type: 'rule', color: MARK_COLOUR, strokeDash: [4, 3] },
      encoding: { x: X },
    },
  ];
}

/**
 * A fan chart: per panel (location) the median with 50%, 80% and 95% bands
 * over time; for a forecast the observed data as points, the fitting window
 * shaded and the reference date marked. Small multiples, y independent.
 */
export function fanChart(input: FanChartInput): Figure {
  const panels = [...new Set(input.fans.map((f) => f.panel))];
  const values = [
    ...input.fans.map((f) => ({ kind: 'fan', ...f })),
    ...(input.observed ?? []).map((o) => ({ kind: 'observed', ...o })),
    ...(input.windows ?? []).map((w) => ({ kind: 'window', ...w })),
    ...(input.referenceDate === undefined
      ? []
      : panels.map((panel) => ({ kind: 'reference', panel, date: input.referenceDate }))),
  ];
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: input.title,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
    columns: Math.min(PANEL_COLUMNS, panels.length),
    resolve: { scale: { y: 'independent' } },
    spec: { width: PANEL.width, height: PANEL.height, layer: layers(input.yTitle) },
  } as unknown as TopLevelSpec;
  return { name: input.name, title: input.title, spec };
}
