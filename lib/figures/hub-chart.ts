import type { TopLevelSpec } from 'vega-lite';
import type { HubRow } from '../forecast/hub-file.js';
import { INC_HOSP_TARGET } from '../forecast/hub-rules.js';
import { VEGA_LITE_SCHEMA, type Figure } from './figure.js';
import { DATA_COLOUR, FAN_COLOUR, MARK_COLOUR, PANEL, PANEL_COLUMNS } from './theme.js';

/** One location's observed weekly admissions; `label` (a location name) titles its panel. */
export interface ObservedSeries {
  readonly location: string;
  readonly label: string;
  readonly dates: readonly string[];
  readonly values: readonly number[];
}

/** What the hub view draws. */
export interface HubViewInput {
  readonly rows: readonly HubRow[];
  readonly observed: readonly ObservedSeries[];
  /** Observed weeks shown before the forecast; default 8. */
  readonly weeksOfData?: number;
}

/** The kinds of point the hub view draws; the first two are lines named in the legend. */
export const HUB_KINDS = {
  observed: 'Observed',
  median: 'Median forecast',
  interval: 'Prediction interval',
  reference: 'Reference date',
} as const;

/** The prediction intervals drawn, widest first: central coverage, quantile levels, fill opacity. */
export const HUB_BANDS = [
  { band: '95%', lower: 0.025, upper: 0.975, opacity: 0.15 },
  { band: '80%', lower: 0.1, upper: 0.9, opacity: 0.25 },
  { band: '50%', lower: 0.25, upper: 0.75, opacity: 0.4 },
] as const;

/** One datum of the hub view: `value` for lines, `lower`/`upper`/`band` for intervals, `date` only for the reference rule. */
export interface HubPoint {
  readonly panel: string;
  readonly kind: (typeof HUB_KINDS)[keyof typeof HUB_KINDS];
  /** YYYY-MM-DD: the week's end (target_end_date), or the reference date. */
  readonly date: string;
  readonly value?: number;
  readonly lower?: number;
  readonly upper?: number;
  readonly band?: string;
}

/** The last `weeks` finite observations of a series, by date. */
function observedPoints(series: ObservedSeries, panel: string, weeks: number): HubPoint[] {
  const points = series.dates
    .map((date, i) => ({ panel, kind: HUB_KINDS.observed, date, value: series.values[i] ?? NaN }))
    .filter((p) => Number.isFinite(p.value))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return points.slice(Math.max(0, points.length - Math.max(0, weeks)));
}

/** The median and intervals of one week's quantiles (level -> value). */
function weekPoints(panel: string, date: string, levels: ReadonlyMap<number, number>): HubPoint[] {
  const median = levels.get(0.5);
  const points: HubPoint[] =
    median === undefined ? [] : [{ panel, kind: HUB_KINDS.median, date, value: median }];
  for (const { band, lower, upper } of HUB_BANDS) {
    const low = levels.get(lower);
    const high = levels.get(upper);
    if (low !== undefined && high !== undefined)
      points.push({ panel, kind: HUB_KINDS.interval, date, band, lower: low, upper: high });
  }
  return points;
}

/** Median, interval and reference-date points of the `wk inc flu hosp` quantile rows. */
function forecastPoints(
  rows: readonly HubRow[],
  panelOf: (location: string) => string,
): HubPoint[] {
  const weeks = new Map<string, { panel: string; date: string; levels: Map<number, number> }>();
  const references = new Map<string, HubPoint>();
  for (const row of rows) {
    if (row.target !== INC_HOSP_TARGET || row.outputType !== 'quantile') continue;
    const panel = panelOf(row.location);
    const key = JSON.stringify([row.location, row.targetEndDate]);
    const week = weeks.get(key) ?? { panel, date: row.targetEndDate, levels: new Map() };
    week.levels.set(Number(row.outputTypeId), row.value);
    weeks.set(key, week);
    const reference = { panel, kind: HUB_KINDS.reference, date: row.referenceDate };
    references.set(JSON.stringify([row.location, row.referenceDate]), reference);
  }
  const forecast = [...weeks.values()].flatMap((w) => weekPoints(w.panel, w.date, w.levels));
  return [...forecast, ...references.values()];
}

type Layer = Extract<Extract<TopLevelSpec, { facet: unknown }>['spec'], { layer: unknown }>;

/** The x channel every layer shares: the week, a UTC date. */
const WEEK = {
  field: 'date',
  type: 'temporal',
  scale: { type: 'utc' },
  title: 'Week ending',
} as const;
/** Shorter than the panel is high: a longer y title would push the panels apart. */
const Y_TITLE = 'Admissions per week';
const only = (kind: HubPoint['kind']) => ({ filter: { field: 'kind', equal: kind } });

/** Interval bands under the median and observed lines, under the reference rule. */
const LAYERS: Layer['layer'] = [
  {
    transform: [only(HUB_KINDS.interval)],
    mark: { type: 'area', color: FAN_COLOUR },
    encoding: {
      x: WEEK,
      y: { field: 'lower', type: 'quantitative', title: Y_TITLE },
      y2: { field: 'upper' },
      opacity: {
        field: 'band',
        type: 'ordinal',
        title: 'Interval',
        scale: { domain: HUB_BANDS.map((b) => b.band), range: HUB_BANDS.map((b) => b.opacity) },
      },
    },
  },
  {
    transform: [{ filter: { field: 'kind', oneOf: [HUB_KINDS.observed, HUB_KINDS.median] } }],
    mark: { type: 'line', point: true },
    encoding: {
      x: WEEK,
      y: { field: 'value', type: 'quantitative', title: Y_TITLE },
      color: {
        field: 'kind',
        type: 'nominal',
        title: null,
        scale: { domain: [HUB_KINDS.observed, HUB_KINDS.median], range: [DATA_COLOUR, FAN_COLOUR] },
      },
    },
  },
  {
    transform: [only(HUB_KINDS.reference)],
    mark: { type: 'rule', color: MARK_COLOUR, strokeDash: [4, 3] },
    encoding: { x: WEEK },
  },
];

/**
 * `hub_forecast`: one panel per location (titled by the observed series'
 * label, else the location code; locations of `observed` first, then those
 * only in `rows`): the last `weeksOfData` observed weeks (black), and from
 * the `wk inc flu hosp` quantile rows (pmf rows ignored) the median at each
 * target end date with the 50%, 80% and 95% central intervals as bands, and
 * the reference date as a dashed rule. y axes per panel.
 */
export function hubView(input: HubViewInput): Figure {
  const title = 'Submitted forecast: weekly flu hospital admissions';
  const labels = new Map(input.observed.map((s) => [s.location, s.label || s.location]));
  const panelOf = (location: string) => labels.get(location) ?? location;
  const values = [
    ...input.observed.flatMap((s) =>
      observedPoints(s, panelOf(s.location), input.weeksOfData ?? 8),
    ),
    ...forecastPoints(input.rows, panelOf),
  ];
  const panels = [...new Set(values.map((v) => v.panel))];
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
    columns: PANEL_COLUMNS,
    resolve: { scale: { y: 'independent' } },
    spec: { width: PANEL.width, height: PANEL.height, layer: LAYERS },
  };
  return { name: 'hub_forecast', title, spec };
}
