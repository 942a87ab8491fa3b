import { z } from 'zod';
import { referenceDateProblem } from '../contract/reference-date.js';
import { dayNumber } from '../engine/dates.js';
import { DISTANCES } from '../calibration/distance.js';
import { PRIOR_TYPES } from '../calibration/priors.js';
import { identifier } from './identifier.js';

/** Default number of projected trajectories per task. */
export const DEFAULT_PROJECTION_SAMPLES = 500;

/** A Saturday `YYYY-MM-DD`: the hub's weeks end on Saturdays (one rule with `REFERENCE_DATE`). */
const saturdaySchema = z
  .string({ error: 'expected a Saturday YYYY-MM-DD' })
  .superRefine((d, ctx) => {
    const problem = referenceDateProblem(d);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const positive = z.number().positive();

/** One prior: uniform, normal, truncated normal or log-uniform. */
export const priorSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('uniform'), low: z.number(), high: z.number() }),
      z.strictObject({ type: z.literal('normal'), mean: z.number(), sd: positive }),
      z.strictObject({
        type: z.literal('truncated_normal'),
        mean: z.number(),
        sd: positive,
        low: z.number(),
        high: z.number(),
      }),
      z.strictObject({ type: z.literal('log_uniform'), low: positive, high: positive }),
    ],
    { error: `expected {type: ${PRIOR_TYPES.join(' | ')}, ...}` },
  )
  .refine((p) => !('low' in p) || p.low < p.high, { message: 'expected low < high' });

const rejectionSchema = z
  .strictObject({
    type: z.literal('rejection'),
    /** Draws from the prior. */
    simulations: z.number().int().min(1).max(10_000_000),
    tolerance: positive.optional(),
    top_fraction: z.number().gt(0).max(1).optional(),
  })
  .refine((s) => (s.tolerance === undefined) !== (s.top_fraction === undefined), {
    message:
      'expected exactly one of tolerance (accept distances <= it) or top_fraction (accept the closest fraction)',
  });

const smcSchema = z.strictObject({
  type: z.literal('smc'),
  particles: z.number().int().min(10).max(100_000),
  generations: z.number().int().min(1).max(100),
  /** Each generation's tolerance: this quantile of the previous generation's accepted distances. */
  tolerance_quantile: z.number().gt(0).lt(1).default(0.5),
  /** Stop early once the tolerance reaches this. */
  min_tolerance: z.number().nonnegative().default(0),
  kernel: z.enum(['gaussian', 'mvn']).default('mvn'),
  /** Budget of simulations over all generations; the run stops at the end of the generation that exceeds it. */
  max_simulations: z.number().int().min(1).max(100_000_000).default(1_000_000),
});

/** The `modelset.calibration:` section: fit to surveillance data, then project. */
export const calibrationSchema = z.strictObject({
  reference_date: saturdaySchema,
  data: z.string().min(1),
  observed: z
    .strictObject({
      transition: z.string().min(1).optional(),
      compartment: identifier.optional(),
      reporting_fraction: identifier.optional(),
    })
    .refine((o) => (o.transition === undefined) !== (o.compartment === undefined), {
      message: 'expected exactly one of transition (e.g. E_to_I) or compartment',
    }),
  window: z.strictObject({ start_date: saturdaySchema }),
  priors: z.strictObject({
    parameters: z.record(identifier, priorSchema).default({}),
    /** Initial proportions of `init: sampled` compartments. */
    compartments: z.record(identifier, priorSchema).default({}),
  }),
  distance: z.enum(DISTANCES).default('rmse'),
  strategy: z.discriminatedUnion('type', [rejectionSchema, smcSchema], {
    error: 'expected strategy type rejection or smc',
  }),
  projection: z
    .strictObject({
      /** Weeks after the reference date's week: horizons 0..horizon_weeks. */
      horizon_weeks: z.number().int().min(0).max(52).default(3),
      /** Projected trajectories per location (resampled from the posterior by weight). */
      samples: z.number().int().min(1).max(100_000).optional(),
    })
    .prefault({}),
});

/** A validated calibration section. */
export type CalibrationConfig = z.infer<typeof calibrationSchema>;

/** Horizon -1: the week ending `reference_date - 7` is the last one the fit may see. */
export function lastObservedDay(referenceDate: string): number {
  return dayNumber(referenceDate)! - 7;
}
