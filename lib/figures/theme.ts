import type { Config } from 'vega-lite';

/** Okabe–Ito: eight colours told apart with every common colour-vision deficiency. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
] as const;

/** The colour of a fan (bands and median) and of observed data. */
export const FAN_COLOUR = PALETTE[0];
export const DATA_COLOUR = '#000000';
export const MARK_COLOUR = PALETTE[5];

/** Fonts, first the one shipped with the stage (PNG rendering has no system fonts). */
export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Width and height of one small-multiple panel, in pixels. */
export const PANEL = { width: 220, height: 130 } as const;

/** Panels per row of a small-multiple grid. */
export const PANEL_COLUMNS = 5;

/** The one Vega-Lite config every figure uses. */
export const THEME: Config = {
  font: FONT_FAMILY,
  background: '#ffffff',
  padding: 8,
  range: { category: [...PALETTE] },
  title: { fontSize: 15, fontWeight: 'bold', anchor: 'start', offset: 10 },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    gridColor: '#e6e6e6',
    domainColor: '#888888',
    tickColor: '#888888',
  },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom' },
  view: { stroke: '#cccccc' },
  line: { strokeWidth: 1.8 },
  point: { filled: true, size: 22 },
};
