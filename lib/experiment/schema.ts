import { z } from 'zod';
import { dayNumber } from '../engine/dates.js';
import { FLUSIGHT_QUANTILES } from '../engine/quantiles.js';
import { RESAMPLE_MODES } from '../engine/resample.js';
import { MODEL_ID_PART } from '../forecast/hub-rules.js';
import { calibrationSchema } from './calibration-schema.js';
import { identifier } from './identifier.js';

export { identifier };

/** An ISO calendar date. */
const isoDateSchema = z
  .string({ error: 'expected a date YYYY-MM-DD' })
  .refine((d) => dayNumber(d) !== undefined, {
    message: 'expected a real calendar date YYYY-MM-DD',
  });

const INIT_EXPECTED =
  'expected "default", "sampled", a count (integer >= 0), {count: n}, {proportion: 0..1} or a list of counts, one per age group';

/** How a compartment starts: remainder, count, proportion, per-group counts, or a modelset sample. */
export type InitSpec =
  | { readonly kind: 'default' }
  | { readonly kind: 'sampled' }
  | { readonly kind: 'count'; readonly value: number }
  | { readonly kind: 'proportion'; readonly value: number }
  | { readonly kind: 'per_group'; readonly values: readonly number[] };

const count = z.number().int().nonnegative();

function parseInit(value: unknown): InitSpec | undefined {
  if (value === 'default' || value === 'sampled') return { kind: value };
  if (count.safeParse(value).success) return { kind: 'count', value: value as number };
  if (Array.isArray(value) && value.length > 0 && value.every((v) => count.safeParse(v).success))
    return { kind: 'per_group', values: value };
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.keys(value).length !== 1
  )
    return undefined;
  const v = value as Record<string, unknown>;
  if ('count' in v && count.safeParse(v.count).success)
    return { kind: 'count', value: v.count as number };
  const p = v.proportion;
  if (typeof p === 'number' && p >= 0 && p <= 1) return { kind: 'proportion', value: p };
  return undefined;
}

/** A compartment's `init` (absent = 0). */
const initSchema = z.unknown().transform((value, ctx): InitSpec => {
  const init = parseInit(value);
  if (init === undefined)
    ctx.addIssue({ code: 'custom', message: `${INIT_EXPECTED}, got ${JSON.stringify(value)}` });
  return init ?? { kind: 'count', value: 0 };
});

const rateSchema = z.union([z.number().nonnegative(), z.string().min(1)], {
  error:
    'expected a rate: a number >= 0, a parameter name or an arithmetic expression over parameters',
});

const transitionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('spontaneous'),
      source: identifier,
      target: identifier,
      rate: rateSchema,
    }),
    z.strictObject({
      type: z.literal('mediated'),
      source: identifier,
      target: identifier,
      rate: rateSchema,
      mediator: identifier,
    }),
  ],
  { error: 'expected type "spontaneous" or "mediated"' },
);

/** A parameter: a bare number is a scalar. `sampled` values come from the modelset (or, later, calibration). */
const parameterSchema = z.union(
  [
    z.number().transform((value) => ({ type: 'scalar' as const, value })),
    z.discriminatedUnion(
      'type',
      [
        z.strictObject({
          type: z.literal('scalar'),
          value: z.number(),
          description: z.string().optional(),
        }),
        z.strictObject({
          type: z.literal('age_varying'),
          values: z.array(z.number()).min(1),
          description: z.string().optional(),
        }),
        z.strictObject({ type: z.literal('sampled'), description: z.string().optional() }),
        z.strictObject({
          type: z.literal('calculated'),
          expression: z.string().min(1),
          description: z.string().optional(),
        }),
      ],
      { error: 'expected type scalar, age_varying, sampled or calculated' },
    ),
  ],
  { error: 'expected a number or {type: scalar | age_varying | sampled | calculated, ...}' },
);

/** `model.overrides[]`: from start_date to end_date inclusive the parameter takes the value (epydemix's override_parameter). */
const overrideSchema = z.strictObject({
  parameter: identifier,
  start_date: isoDateSchema,
  end_date: isoDateSchema,
  value: z.union([z.number(), z.string().min(1)], {
    error: 'expected a number or an arithmetic expression over parameters',
  }),
});

/** `model.seasonality`: mediated rates times 1 + amplitude * cos(2 pi (day - peak) / period). */
const seasonalitySchema = z.strictObject({
  amplitude: z
    .union([z.number(), identifier], { error: 'expected a number in [0, 1) or a parameter name' })
    .refine((a) => typeof a === 'string' || (a >= 0 && a < 1), {
      message: 'expected a number in [0, 1) or a parameter name',
    }),
  peak_date: isoDateSchema,
  period_days: z.number().positive().default(365.25),
});

/** `model.interventions[]`: a contact layer times reduction_factor from start_date to end_date (epydemix's add_intervention). */
const interventionSchema = z.strictObject({
  layer: identifier,
  start_date: isoDateSchema,
  end_date: isoDateSchema,
  reduction_factor: z.number().min(0),
  name: z.string().optional(),
});

/** Free-form descriptive metadata, kept in the outputs. */
const metaSchema = z.record(z.string(), z.unknown()).optional();

/** The `model:` root (basemodel). */
const modelSchema = z.strictObject({
  name: z.string().min(1),
  meta: metaSchema,
  random_seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  timespan: z.strictObject({
    start_date: isoDateSchema,
    end_date: isoDateSchema,
    delta_t: z.number().positive().max(7),
  }),
  simulation: z.strictObject({
    n_sims: z.number().int().min(1).max(100_000),
    resample: z.enum(RESAMPLE_MODES).default('daily'),
  }),
  population: z.strictObject({
    name: z.string().min(1),
    size: z.number().int().positive().optional(),
    age_groups: z.array(z.string().min(1)).min(1).optional(),
    age_distribution: z.string().min(1).optional(),
    contact_matrix: z.string().min(1).optional(),
    contact_layers: z.record(identifier, z.string().min(1)).optional(),
  }),
  compartments: z
    .array(
      z.strictObject({ id: identifier, label: z.string().optional(), init: initSchema.optional() }),
    )
    .min(1, 'expected at least one compartment'),
  transitions: z.array(transitionSchema).min(1, 'expected at least one transition'),
  parameters: z.record(identifier, parameterSchema).default({}),
  overrides: z.array(overrideSchema).optional(),
  seasonality: seasonalitySchema.optional(),
  interventions: z.array(interventionSchema).optional(),
});

const numberList = z.array(z.number()).min(1);
const range = z
  .strictObject({ low: z.number(), high: z.number() })
  .refine((r) => r.low <= r.high, { message: 'expected low <= high' });
const dateRange = z
  .strictObject({ low: isoDateSchema, high: isoDateSchema })
  .refine((r) => r.low <= r.high, { message: 'expected low <= high' });

/** The `modelset:` root: populations, sampling, and the calibration of forecast experiments. */
const modelsetSchema = z.strictObject({
  meta: metaSchema,
  population_names: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)], {
    error: 'expected "all" or a list of location codes such as US-MA',
  }),
  sampling: z
    .strictObject({
      grid: z
        .strictObject({
          parameters: z.record(identifier, numberList).optional(),
          compartments: z.record(identifier, z.array(z.number().min(0).max(1)).min(1)).optional(),
          start_date: z.array(isoDateSchema).min(1).optional(),
        })
        .optional(),
      latin_hypercube: z
        .strictObject({
          n_samples: z.number().int().min(1).max(100_000),
          seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
          parameters: z.record(identifier, range).optional(),
          compartments: z
            .record(
              identifier,
              range.refine((r) => r.low >= 0 && r.high <= 1, 'expected proportions in 0..1'),
            )
            .optional(),
          start_date: dateRange.optional(),
        })
        .optional(),
    })
    .optional(),
  calibration: calibrationSchema.optional(),
});

const selection = z.union([z.boolean(), z.array(z.string().min(1)).min(1)], {
  error: 'expected true, false or a list of names',
});

/** A hub abbreviation (team or model): letters, digits, `_` and `+`, at most 16 characters (the hub's model_id rule). */
const hubName = z
  .string()
  .regex(
    MODEL_ID_PART,
    'expected 1 to 16 letters, digits, "_" or "+" (the hub\'s team and model abbreviations)',
  );

/** File formats of the output tables: gzipped CSV, Parquet (typed columns, snappy pages), or both. */
const OUTPUT_FORMATS = ['csv', 'parquet'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The `output:` root; `flusight:` asks forecast experiments for a hub submission file. */
export const outputSchema = z.strictObject({
  formats: z
    .array(z.enum(OUTPUT_FORMATS))
    .min(1)
    .refine((f) => new Set(f).size === f.length, { message: 'expected each format once' })
    .default(['csv']),
  meta: metaSchema,
  quantiles: z
    .strictObject({
      levels: z
        .array(z.number().min(0).max(1))
        .min(1)
        .refine((l) => l.every((v, i) => i === 0 || v > l[i - 1]!), {
          message: 'expected strictly increasing levels',
        })
        .default([...FLUSIGHT_QUANTILES]),
      compartments: selection.default(true),
      transitions: selection.default(true),
    })
    .prefault({}),
  trajectories: z
    .strictObject({ compartments: selection.default(false), transitions: selection.default(false) })
    .prefault({}),
  model_metadata: z.boolean().default(true),
  /** Figures (SVG and PNG under `figures/`, shown in `report.html`); the report is written either way. */
  figures: z.boolean().default(true),
  flusight: z.strictObject({ team: hubName, model: hubName }).optional(),
});

/** A validated basemodel. */
export type ModelConfig = z.infer<typeof modelSchema>;
/** A validated modelset. */
export type ModelsetConfig = z.infer<typeof modelsetSchema>;
/** A validated output config. */
export type OutputConfig = z.infer<typeof outputSchema>;

/** The root keys that give a config file its type. */
export const CONFIG_ROOTS = {
  model: modelSchema,
  modelset: modelsetSchema,
  output: outputSchema,
} as const;
