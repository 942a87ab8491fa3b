import { z } from 'zod';
import { DISTANCES } from '../calibration/distance.js';
import { priorSchema } from './calibration-schema.js';

const numbers = z.array(z.number());
const series = z.object({ dates: z.array(z.string()), values: numbers });

/** The calibration a Stage B task runs, resolved by Stage A (data already cut at the reference date). */
export const calibrationTaskSchema = z.object({
  referenceDate: z.string(),
  /** The task's weekly data inside the fitting window. */
  observed: series,
  target: z.object({
    kind: z.enum(['transition', 'compartment']),
    name: z.string(),
    reportingFraction: z.string().optional(),
  }),
  free: z
    .array(
      z.object({
        kind: z.enum(['parameter', 'compartment']),
        name: z.string(),
        prior: priorSchema,
      }),
    )
    .min(1),
  defaultCompartment: z.string(),
  distance: z.enum(DISTANCES),
  strategy: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('rejection'),
      simulations: z.number().int().positive(),
      tolerance: z.number().optional(),
      topFraction: z.number().optional(),
    }),
    z.object({
      type: z.literal('smc'),
      particles: z.number().int().positive(),
      generations: z.number().int().positive(),
      toleranceQuantile: z.number(),
      minTolerance: z.number(),
      kernel: z.enum(['gaussian', 'mvn']),
      maxSimulations: z.number().int().positive(),
    }),
  ]),
  /** Steps of the fit: up to the end of the last observed week (the model's `steps` reach the last projected week). */
  fitSteps: z.number().int().positive(),
  /** Projected trajectories, resampled from the posterior by weight. */
  samples: z.number().int().positive(),
});

/** A task's calibration, as Stage B reads it. */
export type CalibrationTask = z.infer<typeof calibrationTaskSchema>;

const generation = z.object({
  generation: z.number().int(),
  /** null for a generation drawn from the priors (no tolerance). */
  tolerance: z.number().nullable(),
  accepted: z.number().int(),
  simulations: z.number().int(),
  ess: z.number(),
});

/** What Stage B adds to a forecast task's result. */
export const calibrationResultSchema = z.object({
  referenceDate: z.string(),
  strategy: z.enum(['rejection', 'smc']),
  distance: z.enum(DISTANCES),
  /** Free quantities, `R0` or `init.I`. */
  names: z.array(z.string()),
  particles: z.object({ values: z.array(numbers), weights: numbers, distances: numbers }),
  generations: z.array(generation),
  simulations: z.number().int(),
  observed: series,
  /** The compared series of each projected trajectory over the result's dates, flat `[sample][date]`. */
  series: numbers,
});
