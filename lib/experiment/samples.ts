import { dayNumber, isoDate } from '../engine/dates.js';
import { Rng } from '../engine/rng.js';
import { cartesianProduct, latinHypercube } from '../engine/sampling.js';
import type { ModelsetConfig } from './schema.js';

/** One point of the modelset's sampling design. */
export interface Sample {
  readonly id: number;
  readonly parameters: Readonly<Record<string, number>>;
  /** Initial proportions of `init: sampled` compartments. */
  readonly compartments: Readonly<Record<string, number>>;
  readonly startDate: string | undefined;
}

/** Stream key that separates the Latin hypercube from simulation streams. */
const LHS_STREAM = 0x4c4853;

type Point = {
  parameters: Record<string, number>;
  compartments: Record<string, number>;
  startDate?: string;
};
type Axis = (point: Point, value: number | string) => void;

function gridPoints(grid: NonNullable<NonNullable<ModelsetConfig['sampling']>['grid']>): Point[] {
  const axes: [Axis, readonly (number | string)[]][] = [
    ...Object.entries(grid.parameters ?? {}).map(([n, v]): [Axis, number[]] => [
      (p, x) => (p.parameters[n] = x as number),
      v,
    ]),
    ...Object.entries(grid.compartments ?? {}).map(([n, v]): [Axis, number[]] => [
      (p, x) => (p.compartments[n] = x as number),
      v,
    ]),
    ...(grid.start_date
      ? [
          [(p: Point, x: number | string) => (p.startDate = x as string), grid.start_date] as [
            Axis,
            string[],
          ],
        ]
      : []),
  ];
  return cartesianProduct(axes.map(([, values]) => values)).map((values) => {
    const point: Point = { parameters: {}, compartments: {} };
    values.forEach((value, i) => axes[i]![0](point, value));
    return point;
  });
}

function lhsPoints(
  lhs: NonNullable<NonNullable<ModelsetConfig['sampling']>['latin_hypercube']>,
  seed: number,
): Point[] {
  const params = Object.entries(lhs.parameters ?? {});
  const comps = Object.entries(lhs.compartments ?? {});
  const dims = params.length + comps.length + (lhs.start_date ? 1 : 0);
  const u = latinHypercube(lhs.n_samples, dims, new Rng(lhs.seed ?? seed, LHS_STREAM));
  return Array.from({ length: lhs.n_samples }, (_, i) => {
    const point: Point = { parameters: {}, compartments: {} };
    params.forEach(
      ([name, r], d) => (point.parameters[name] = r.low + u[d]![i]! * (r.high - r.low)),
    );
    comps.forEach(
      ([name, r], d) =>
        (point.compartments[name] = r.low + u[params.length + d]![i]! * (r.high - r.low)),
    );
    if (lhs.start_date) {
      const low = dayNumber(lhs.start_date.low)!;
      const span = dayNumber(lhs.start_date.high)! - low + 1;
      point.startDate = isoDate(low + Math.floor(u[dims - 1]![i]! * span));
    }
    return point;
  });
}

/**
 * The sampling design: every grid point combined with every Latin hypercube
 * point (grid outermost). No sampling gives one empty sample. The hypercube is
 * seeded by `latin_hypercube.seed`, else the model's `random_seed`.
 */
export function buildSamples(modelset: ModelsetConfig | undefined, randomSeed: number): Sample[] {
  const sampling = modelset?.sampling;
  const grid = sampling?.grid ? gridPoints(sampling.grid) : [{ parameters: {}, compartments: {} }];
  const lhs = sampling?.latin_hypercube
    ? lhsPoints(sampling.latin_hypercube, randomSeed)
    : [{ parameters: {}, compartments: {} }];
  return grid
    .flatMap((g: Point) =>
      lhs.map((l: Point) => ({
        parameters: { ...g.parameters, ...l.parameters },
        compartments: { ...g.compartments, ...l.compartments },
        startDate: g.startDate ?? l.startDate,
      })),
    )
    .map((s, id) => ({ id, ...s }));
}
