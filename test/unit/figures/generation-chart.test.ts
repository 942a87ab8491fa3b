import { describe, expect, it } from 'vitest';
import {
  calibrationGenerations,
  MAX_COLOURED_LOCATIONS,
  type GenerationInput,
  type GenerationRow,
} from '../../../lib/figures/generation-chart.js';
import { renderSvg } from '../../../lib/figures/render.js';
import { FAN_COLOUR } from '../../../lib/figures/theme.js';

/** The parts of the two-panel spec the tests read. */
interface Panel {
  data: { values: GenerationRow[] };
  mark: { type: string; color?: string; opacity?: number };
  encoding: Record<string, Record<string, unknown> | Record<string, unknown>[]>;
}
const panels = (rows: GenerationInput[]) => {
  const { hconcat } = calibrationGenerations(rows).spec as unknown as { hconcat: Panel[] };
  return { tolerance: hconcat[0]!, acceptance: hconcat[1]!, count: hconcat.length };
};
const count = (svg: string, text: string) => svg.split(text).length - 1;

/** Generation 0 from the priors, then shrinking tolerances; acceptance 100/200, 50/200, 20/200. */
const smc = (population: string): GenerationInput[] => [
  { population, generation: 0, tolerance: null, accepted: 100, simulations: 200 },
  { population, generation: 1, tolerance: 8, accepted: 50, simulations: 200 },
  { population, generation: 2, tolerance: 2, accepted: 20, simulations: 200 },
];

describe('calibrationGenerations', () => {
  it('is one figure of two panels: tolerance on a log scale, and acceptance rate', () => {
    const figure = calibrationGenerations(smc('CA'));
    expect(figure.name).toBe('calibration_generations');
    const { tolerance, acceptance, count } = panels(smc('CA'));
    expect(count).toBe(2);
    expect(tolerance.encoding.y).toMatchObject({ field: 'value', scale: { type: 'log' } });
    expect(acceptance.encoding.y).toMatchObject({ field: 'value', axis: { format: '.0%' } });
    expect(tolerance.encoding.x).toMatchObject({ field: 'generation', title: 'Generation' });
  });

  it('leaves generations without a tolerance out of the tolerance panel', () => {
    const { tolerance, acceptance } = panels(smc('CA'));
    expect(tolerance.data.values).toEqual([
      { location: 'CA', run: 0, generation: 1, value: 8 },
      { location: 'CA', run: 0, generation: 2, value: 2 },
    ]);
    expect(acceptance.data.values.map((r) => [r.generation, r.value])).toEqual([
      [0, 0.5],
      [1, 0.25],
      [2, 0.1],
    ]);
  });

  it('skips generations that simulated nothing and tells apart tasks of one location', () => {
    const rows = [
      ...smc('NY'),
      { population: 'NY', generation: 3, tolerance: 1, accepted: 0, simulations: 0 },
      ...smc('NY'),
    ];
    const { tolerance, acceptance } = panels(rows);
    expect(acceptance.data.values.map((r) => r.generation)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(tolerance.data.values.map((r) => [r.generation, r.run])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [1, 1],
      [2, 1],
    ]);
  });

  it('colours each location when there are few, and draws one faint colour when there are many', () => {
    const few = panels([...smc('CA'), ...smc('NY')]).tolerance;
    expect(few.encoding.color).toMatchObject({
      field: 'location',
      scale: { domain: ['CA', 'NY'] },
    });
    const names = Array.from({ length: MAX_COLOURED_LOCATIONS + 1 }, (_, i) => `L${i}`);
    const many = panels(names.flatMap(smc)).tolerance;
    expect(many.encoding.color).toBeUndefined();
    expect(many.mark).toMatchObject({ type: 'line', color: FAN_COLOUR });
    expect(many.mark.opacity).toBeLessThan(1);
    expect(many.encoding.detail).toEqual([{ field: 'location' }, { field: 'run' }]);
  });

  it('is drawn by Vega: a line per location in each panel, a legend only when coloured', async () => {
    const few = await renderSvg(calibrationGenerations([...smc('CA'), ...smc('NY'), ...smc('TX')]));
    expect(count(few, 'aria-roledescription="line mark"')).toBe(6);
    expect(count(few, '>TX</text>')).toBe(1);
    const names = Array.from({ length: 9 }, (_, i) => `L${i}`);
    const many = await renderSvg(calibrationGenerations(names.flatMap(smc)));
    expect(count(many, 'aria-roledescription="line mark"')).toBe(18);
    expect(count(many, 'aria-roledescription="legend"')).toBe(0);
  });
});
