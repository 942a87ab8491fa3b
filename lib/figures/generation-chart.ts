import type { TopLevelSpec } from 'vega-lite';
import { VEGA_LITE_SCHEMA, type Figure } from './figure.js';
import { FAN_COLOUR, PALETTE, PANEL } from './theme.js';

/** One generation of one location's calibration (a calibration result's `generations`). */
export interface GenerationInput {
  readonly population: string;
  readonly generation: number;
  /** null for a generation drawn from the priors. */
  readonly tolerance: number | null;
  readonly accepted: number;
  readonly simulations: number;
}

/** One point of a panel: `run` tells apart tasks of the same location (0 for the first). */
export interface GenerationRow {
  readonly location: string;
  readonly run: number;
  readonly generation: number;
  readonly value: number;
}

/** Locations drawn in colours of their own; above this, one colour and faint lines. */
export const MAX_COLOURED_LOCATIONS = PALETTE.length;

type Panel = Extract<
  Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number],
  { mark: unknown }
>;
type Encoding = NonNullable<Panel['encoding']>;

/** Opacity of each line when the locations share one colour. */
const CROWD_OPACITY = 0.35;

/** Each row with its run: the n-th time a location repeats a generation, the row belongs to run n. */
function withRuns(rows: readonly GenerationInput[]): (GenerationInput & { run: number })[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const key = JSON.stringify([row.population, row.generation]);
    const run = seen.get(key) ?? 0;
    seen.set(key, run + 1);
    return { ...row, run };
  });
}

/** The tolerance panel's points: generations with a positive finite tolerance (a log scale has no 0). */
export function toleranceRows(rows: readonly GenerationInput[]): GenerationRow[] {
  return withRuns(rows).flatMap(({ population, run, generation, tolerance }) =>
    tolerance !== null && Number.isFinite(tolerance) && tolerance > 0
      ? [{ location: population, run, generation, value: tolerance }]
      : [],
  );
}

/** The acceptance panel's points: accepted / simulations, for generations that simulated anything. */
export function acceptanceRows(rows: readonly GenerationInput[]): GenerationRow[] {
  return withRuns(rows).flatMap(({ population, run, generation, accepted, simulations }) =>
    simulations > 0
      ? [{ location: population, run, generation, value: accepted / simulations }]
      : [],
  );
}

/** How lines are told apart: a colour per location, or one faint colour when there are too many. */
function lineStyle(locations: readonly string[]): { mark: Panel['mark']; encoding: Encoding } {
  if (locations.length > MAX_COLOURED_LOCATIONS) {
    return {
      mark: { type: 'line', color: FAN_COLOUR, opacity: CROWD_OPACITY },
      encoding: { detail: [{ field: 'location' }, { field: 'run' }] },
    };
  }
  return {
    mark: { type: 'line', point: true },
    encoding: {
      color: {
        field: 'location',
        type: 'nominal',
        title: 'Location',
        scale: { domain: [...locations] },
      },
      detail: { field: 'run' },
    },
  };
}

/** One panel: value by generation, one line per location and run. */
function panel(
  rows: readonly GenerationRow[],
  y: Omit<NonNullable<Encoding['y']>, 'field' | 'type'>,
  locations: readonly string[],
): Panel {
  const style = lineStyle(locations);
  return {
    width: PANEL.width * 1.5,
    height: PANEL.height * 1.5,
    data: { values: [...rows] },
    mark: style.mark,
    encoding: {
      x: {
        field: 'generation',
        type: 'quantitative',
        title: 'Generation',
        axis: { tickMinStep: 1, format: 'd' },
      },
      y: { ...y, field: 'value', type: 'quantitative' },
      ...style.encoding,
    },
  };
}

/**
 * `calibration_generations`: two panels side by side, by generation: the
 * tolerance (distance threshold, log scale; generations drawn from the priors
 * left out) and the acceptance rate (accepted / simulations). One line per
 * location, coloured when there are at most {@link MAX_COLOURED_LOCATIONS}
 * locations, otherwise all in one colour and faint.
 */
export function calibrationGenerations(rows: readonly GenerationInput[]): Figure {
  const title = 'Calibration by generation';
  const locations = [...new Set(rows.map((row) => row.population))];
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title,
    hconcat: [
      panel(
        toleranceRows(rows),
        { title: 'Tolerance (distance, log scale)', scale: { type: 'log' } },
        locations,
      ),
      panel(
        acceptanceRows(rows),
        { title: 'Acceptance rate (%)', axis: { format: '.0%' } },
        locations,
      ),
    ],
  };
  return { name: 'calibration_generations', title, spec };
}
