import { z } from 'zod';
import type { ModelSpec } from '../engine/spec.js';
import { RESAMPLE_MODES } from '../engine/resample.js';
import { calibrationTaskSchema, calibrationResultSchema } from './calibration-task.js';
import { MAX_STEPS_PER_TASK } from './bounds.js';
import { identifier } from './identifier.js';

const numbers = z.array(z.number());

/** The resolved model inside a task input (see `ModelSpec` in lib/engine/model.ts). */
const modelSpecSchema = z.object({
  compartments: z.array(identifier).min(1),
  groups: z.array(z.string()).min(1),
  groupSizes: numbers,
  contact: z.array(numbers),
  init: z.record(identifier, numbers),
  parameters: z.record(identifier, numbers),
  derived: z.array(z.object({ name: identifier, expression: z.string() })).optional(),
  overrides: z
    .array(
      z.object({
        parameter: z.string(),
        startDay: z.number(),
        endDay: z.number(),
        value: z.union([z.number(), z.string()]),
      }),
    )
    .optional(),
  seasonality: z
    .object({
      amplitude: z.union([z.number(), z.string()]),
      peakDay: z.number(),
      periodDays: z.number().positive(),
    })
    .optional(),
  contactLayers: z.record(identifier, z.array(numbers)).optional(),
  interventions: z
    .array(
      z.object({
        layer: z.string(),
        startDay: z.number(),
        endDay: z.number(),
        reductionFactor: z.number().nonnegative(),
      }),
    )
    .optional(),
  transitions: z.array(
    z.object({
      type: z.enum(['spontaneous', 'mediated']),
      source: z.string(),
      target: z.string(),
      rate: z.string(),
      mediator: z.string().optional(),
    }),
  ),
  startDay: z.number().int(),
  dt: z.number().positive(),
  steps: z.number().int().positive().max(MAX_STEPS_PER_TASK),
});

/**
 * `builder-artifacts/input_NNNNN.json.gz`: one self-contained task. Stage B
 * needs nothing else. `sample.values` names what the modelset sampled
 * (`beta`, `init.I`, `start_date`); Stage C writes it into model metadata.
 */
export const taskInputSchema = z.object({
  version: z.literal(1),
  expId: z.string(),
  runId: z.string(),
  taskIndex: z.number().int().nonnegative(),
  modelName: z.string(),
  population: z.object({
    code: z.string(),
    name: z.string(),
    size: z.number().int().nonnegative(),
  }),
  sample: z.object({
    id: z.number().int().nonnegative(),
    values: z.record(z.string(), z.union([z.number(), z.string()])),
  }),
  /** Streams are keyed by (randomSeed, taskIndex, simulation index). */
  randomSeed: z.number().int().nonnegative(),
  nSims: z.number().int().positive(),
  resample: z.enum(RESAMPLE_MODES),
  model: modelSpecSchema,
  /** Present for forecast experiments: Stage B calibrates, then projects (see lib/calibration). */
  calibration: calibrationTaskSchema.optional(),
});

/** A parsed task input. */
export type TaskInput = Omit<z.infer<typeof taskInputSchema>, 'model'> & {
  readonly model: ModelSpec;
};

/**
 * `runner-artifacts/result_NNNNN.arrow` (decoded): trajectories of one task, after
 * resampling. Series are flat, index `(sim * dates.length + d) * groups.length + g`.
 */
export const taskResultSchema = z.object({
  version: z.literal(1),
  taskIndex: z.number().int().nonnegative(),
  /** sha256 of the input this result was computed from (Stage B idempotency, Stage C staleness check). */
  inputSha256: z.string(),
  population: z.object({ code: z.string(), name: z.string(), size: z.number() }),
  sample: z.object({
    id: z.number().int().nonnegative(),
    values: z.record(z.string(), z.union([z.number(), z.string()])),
  }),
  nSims: z.number().int().positive(),
  groups: z.array(z.string()),
  dates: z.array(z.string()),
  compartments: z.record(z.string(), numbers),
  transitions: z.record(z.string(), numbers),
  /** Forecast tasks: the posterior and the compared series; `nSims` counts projected trajectories. */
  calibration: calibrationResultSchema.optional(),
});

/** A parsed task result. */
export type TaskResult = z.infer<typeof taskResultSchema>;
