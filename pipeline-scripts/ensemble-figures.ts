import type { Experiment } from '../lib/experiment/experiment.js';
import type { TaskResult } from '../lib/experiment/task.js';
import { fanOfSeries, type FanPoint } from '../lib/figures/bands.js';
import { fanChart } from '../lib/figures/fan-chart.js';
import { figureStem, type Figure } from '../lib/figures/figure.js';
import { seriesAxisTitle } from '../lib/figures/series-title.js';
import { scenarioChart, type SampleMedian } from '../lib/figures/scenario-chart.js';
import { selectNames, type Selection } from './output-tables.js';

type Kind = 'compartments' | 'transitions';

/** At most this many dates per drawn line: longer series are thinned evenly (the tables keep every date). */
const MAX_POINTS = 200;

/** What one series keeps per panel: its fan while the panel has one sample, and every sample's median. */
interface PanelSeries {
  fan: FanPoint[] | undefined;
  readonly medians: {
    readonly sample: number;
    readonly dates: string[];
    readonly values: Float64Array;
  }[];
}

/** Every `stride`-th index and the last one: a line drawn with at most {@link MAX_POINTS} points. */
function thinned(length: number): number[] {
  const stride = Math.max(1, Math.ceil(length / MAX_POINTS));
  const picks: number[] = [];
  for (let i = 0; i < length; i += stride) picks.push(i);
  if (picks.at(-1) !== length - 1 && length > 0) picks.push(length - 1);
  return picks;
}

/** The flat `[sim][date]` totals over groups of one series of a result. */
function totals(result: TaskResult, values: readonly number[]): Float64Array {
  const G = result.groups.length;
  const out = new Float64Array(result.nSims * result.dates.length);
  for (let k = 0; k < out.length; k++) {
    let sum = 0;
    for (let g = 0; g < G; g++) sum += values[k * G + g]!;
    out[k] = sum;
  }
  return out;
}

/**
 * Figures of a simulation run (not a forecast), fed one result at a time:
 * for each series the output config's quantiles select (summed over groups),
 * a fan chart per location, or, when a location has several samples (a
 * scenario run), every sample's median overlaid. Keeps each task's fan
 * summary only (seven numbers per drawn date), never its trajectories.
 */
export class EnsembleFigures {
  private readonly series = new Map<string, Map<string, PanelSeries>>();
  private readonly selected: { readonly kind: Kind; readonly selection: Selection }[];

  constructor(private readonly exp: Experiment) {
    const q = exp.output.quantiles;
    this.selected = (['compartments', 'transitions'] as const)
      .filter((kind) => q[kind] !== false)
      .map((kind) => ({ kind, selection: q[kind] }));
  }

  /** Adds one task's fans and medians. */
  add(result: TaskResult): void {
    const picks = thinned(result.dates.length);
    const dates = picks.map((d) => result.dates[d]!);
    const panel = result.population.name;
    for (const { kind, selection } of this.selected) {
      for (const name of selectNames(Object.keys(result[kind]), selection)) {
        const all = totals(result, result[kind][name]!);
        const D = result.dates.length;
        const series = new Float64Array(result.nSims * picks.length);
        for (let s = 0; s < result.nSims; s++)
          picks.forEach((d, j) => (series[s * picks.length + j] = all[s * D + d]!));
        this.addFan(
          `${kind}\u0000${name}`,
          panel,
          result.sample.id,
          fanOfSeries(panel, dates, series, result.nSims),
        );
      }
    }
  }

  private addFan(key: string, panel: string, sample: number, fan: FanPoint[]): void {
    const panels = this.series.get(key) ?? new Map<string, PanelSeries>();
    this.series.set(key, panels);
    const entry = panels.get(panel) ?? { fan, medians: [] };
    if (entry.medians.length > 0) entry.fan = undefined;
    entry.medians.push({
      sample,
      dates: fan.map((p) => p.date),
      values: Float64Array.from(fan, (p) => p.q50),
    });
    panels.set(panel, entry);
  }

  /** The figures, one per selected series, in the output config's order. */
  finish(): Figure[] {
    const resample = this.exp.model.simulation.resample;
    return [...this.series].map(([key, panels]) => {
      const [kind, name] = key.split('\u0000') as [Kind, string];
      const y = seriesAxisTitle(kind, name, resample);
      const entries = [...panels.values()];
      if (entries.every((e) => e.fan !== undefined))
        return fanChart({
          name: figureStem('fan', kind, name),
          title: `${name}: median with 50%, 80% and 95% intervals`,
          yTitle: y,
          fans: entries.flatMap((e) => e.fan!),
        });
      const medians: SampleMedian[] = [...panels].flatMap(([panel, e]) =>
        e.medians.flatMap((m) =>
          m.dates.map((date, i) => ({ panel, sample: m.sample, date, median: m.values[i]! })),
        ),
      );
      return scenarioChart({
        name: figureStem('scenarios', kind, name),
        title: `${name}: median of each sample`,
        yTitle: y,
        medians,
      });
    });
  }
}
