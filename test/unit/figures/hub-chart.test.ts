import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../../lib/figures/render.js';
import {
  HUB_BANDS,
  HUB_KINDS,
  hubView,
  type HubPoint,
  type ObservedSeries,
} from '../../../lib/figures/hub-chart.js';
import { hubRows, type HubRow } from '../../../lib/forecast/hub-file.js';

const REFERENCE = '2025-01-11';
/** Horizons -1..3 of two locations, 200 equally spread samples each: quantile rows and pmf rows. */
const ROWS: HubRow[] = hubRows(
  REFERENCE,
  [
    { location: '06', population: 39e6, lastObserved: 900 },
    { location: '48', population: 30e6, lastObserved: 700 },
  ].map((l) => ({
    ...l,
    samples: new Map(
      [-1, 0, 1, 2, 3].map((h) => [
        h,
        Array.from({ length: 200 }, (_, i) => l.lastObserved + h * 10 + i),
      ]),
    ),
  })),
);
/** Twelve Saturdays up to the week before the reference date. */
const DATES = Array.from({ length: 12 }, (_, i) =>
  new Date(Date.UTC(2024, 9, 26 + 7 * i)).toISOString().slice(0, 10),
);
const CALIFORNIA: ObservedSeries = {
  location: '06',
  label: 'California',
  dates: DATES,
  values: DATES.map((_, i) => 100 + i),
};

/** The parts of the spec the tests read. */
interface Shape {
  data: { values: HubPoint[] };
  facet: { field: string; sort: string[] };
  resolve: { scale: { y: string } };
  spec: { layer: { mark: { type: string }; encoding: Record<string, Record<string, unknown>> }[] };
}
const shape = (figure: ReturnType<typeof hubView>) => figure.spec as unknown as Shape;
const points = (figure: ReturnType<typeof hubView>, panel: string, kind: HubPoint['kind']) =>
  shape(figure).data.values.filter((p) => p.panel === panel && p.kind === kind);
const quantile = (location: string, date: string, level: string) =>
  ROWS.find(
    (r) =>
      r.location === location &&
      r.targetEndDate === date &&
      r.outputType === 'quantile' &&
      r.outputTypeId === level,
  )!.value;
const count = (svg: string, text: string) => svg.split(text).length - 1;

describe('hubView', () => {
  it('shows the last 8 observed weeks by default, or weeksOfData', () => {
    const figure = hubView({ rows: [], observed: [CALIFORNIA] });
    expect(figure.name).toBe('hub_forecast');
    const observed = points(figure, 'California', HUB_KINDS.observed);
    expect(observed.map((p) => p.date)).toEqual(DATES.slice(4));
    expect(observed.map((p) => p.value)).toEqual([104, 105, 106, 107, 108, 109, 110, 111]);
    const three = hubView({ rows: [], observed: [CALIFORNIA], weeksOfData: 3 });
    expect(points(three, 'California', HUB_KINDS.observed)).toHaveLength(3);
  });

  it('draws the median of each target end date from the quantile rows, ignoring pmf rows', () => {
    expect(ROWS.some((r) => r.outputType === 'pmf')).toBe(true);
    const figure = hubView({ rows: ROWS, observed: [CALIFORNIA] });
    const medians = points(figure, 'California', HUB_KINDS.median);
    const dates = ['2025-01-04', '2025-01-11', '2025-01-18', '2025-01-25', '2025-02-01'];
    expect(medians.map((p) => p.date)).toEqual(dates);
    expect(medians.map((p) => p.value)).toEqual(dates.map((d) => quantile('06', d, '0.5')));
    expect(shape(figure).data.values.filter((p) => p.kind === HUB_KINDS.median)).toHaveLength(10);
  });

  it('draws the 95%, 80% and 50% intervals from their quantiles', () => {
    const figure = hubView({ rows: ROWS, observed: [] });
    const week = points(figure, '48', HUB_KINDS.interval).filter((p) => p.date === '2025-01-18');
    expect(week).toEqual(
      HUB_BANDS.map((b) => ({
        panel: '48',
        kind: HUB_KINDS.interval,
        date: '2025-01-18',
        band: b.band,
        lower: quantile('48', '2025-01-18', String(b.lower)),
        upper: quantile('48', '2025-01-18', String(b.upper)),
      })),
    );
    expect(week[0]!.lower).toBeLessThan(week[2]!.lower!);
    const [areas] = shape(figure).spec.layer;
    expect(areas!.encoding.opacity!.scale).toEqual({
      domain: ['95%', '80%', '50%'],
      range: [0.15, 0.25, 0.4],
    });
  });

  it('marks the reference date once per location and ignores other targets', () => {
    const other = { ...ROWS[0]!, target: 'peak inc flu hosp', targetEndDate: '2025-03-01' };
    const figure = hubView({ rows: [...ROWS, other], observed: [CALIFORNIA] });
    expect(points(figure, 'California', HUB_KINDS.reference)).toEqual([
      { panel: 'California', kind: HUB_KINDS.reference, date: REFERENCE },
    ]);
    expect(shape(figure).data.values.some((p) => p.date === '2025-03-01')).toBe(false);
  });

  it('titles panels by label, else by location, observed locations first; y per panel', () => {
    const unlabelled = { ...CALIFORNIA, location: '36', label: '' };
    const figure = hubView({ rows: ROWS, observed: [unlabelled, CALIFORNIA] });
    expect(shape(figure).facet).toMatchObject({ field: 'panel', sort: ['36', 'California', '48'] });
    expect(shape(figure).resolve.scale.y).toBe('independent');
    const x = shape(figure).spec.layer.map((l) => l.encoding.x);
    expect(x.every((e) => e?.type === 'temporal')).toBe(true);
    expect(x.every((e) => (e?.scale as { type: string }).type === 'utc')).toBe(true);
  });

  it('is drawn by Vega: a panel per location with three bands, lines, points and a rule', async () => {
    const svg = await renderSvg(hubView({ rows: ROWS, observed: [CALIFORNIA] }));
    expect(count(svg, '>California</text>')).toBe(1);
    expect(count(svg, '>48</text>')).toBe(1);
    expect(count(svg, 'aria-roledescription="area mark"')).toBe(6);
    // California: observed and median lines; 48: median only
    expect(count(svg, 'aria-roledescription="line mark"')).toBe(3);
    expect(count(svg, 'aria-roledescription="point"')).toBe(8 + 5 + 5);
    expect(count(svg, 'aria-roledescription="rule mark"')).toBe(2);
  });
});
