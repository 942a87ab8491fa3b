import { z } from 'zod';
import tasksJson from './flusight-hub-tasks.json' with { type: 'json' };

/**
 * The FluSight hub's submission rules. Targets, horizons, output types, ids,
 * value bounds and locations come from the hub's `hub-config/tasks.json`
 * (copied verbatim into `flusight-hub-tasks.json`, cdcepi/FluSight-forecast-hub
 * @ 9246969, MIT); the rate-change thresholds from the hub's
 * `model-output/README.md` ("Appendix 1: rate-trend forecast specifications")
 * and its scoring script `target-data/get_target_data_hubverse.R`.
 */

const idsSchema = z.object({ required: z.array(z.union([z.string(), z.number()])).nullable() });
const valueSchema = z.object({
  type: z.string(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
});
const outputSchema = z.object({
  output_type_id: idsSchema.optional(),
  output_type_id_params: z
    .object({
      max_length: z.number(),
      min_samples_per_task: z.number(),
      max_samples_per_task: z.number(),
    })
    .optional(),
  is_required: z.boolean(),
  value: valueSchema,
});
const optionalSchema = <T extends z.ZodType>(item: T) =>
  z.object({ optional: z.array(item).nullable() });
const tasksSchema = z.object({
  rounds: z
    .array(
      z.object({
        model_tasks: z.array(
          z.object({
            task_ids: z.object({
              target: optionalSchema(z.string()),
              horizon: optionalSchema(z.number()),
              location: optionalSchema(z.string()),
            }),
            output_type: z.record(z.string(), outputSchema),
            target_metadata: z.array(z.object({ target_type: z.string() })).length(1),
          }),
        ),
      }),
    )
    .length(1),
});

/** What tasks.json allows for one output type of one target. */
export interface OutputTypeRule {
  /**
   * The `output_type_id`s that must all be present (quantile levels as
   * numbers); undefined for samples and for date-valued targets (peak week),
   * whose ids are the Saturdays of one season: those only need to be dates.
   */
  readonly ids: readonly (string | number)[] | undefined;
  /** Whether a team submitting this target must submit this output type. */
  readonly required: boolean;
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** Values must be whole numbers (tasks.json `"type": "integer"`). */
  readonly integer: boolean;
  /** Samples only: the longest sample id and how many samples one task must have. */
  readonly sample:
    { readonly maxIdLength: number; readonly min: number; readonly max: number } | undefined;
}

/** What tasks.json allows for one target. */
export interface TargetRule {
  readonly target: string;
  /** Allowed horizons; undefined for the seasonal targets, whose horizon and target_end_date are `NA`. */
  readonly horizons: readonly number[] | undefined;
  /** The prediction is a date (peak week): its pmf ids are Saturdays. */
  readonly dateValued: boolean;
  readonly outputTypes: ReadonlyMap<string, OutputTypeRule>;
}

const MODEL_TASKS = tasksSchema.parse(tasksJson).rounds[0]!.model_tasks;

function outputTypeRule(raw: z.infer<typeof outputSchema>, dateValued: boolean): OutputTypeRule {
  const params = raw.output_type_id_params;
  return {
    ids: dateValued ? undefined : (raw.output_type_id?.required ?? undefined),
    required: raw.is_required,
    min: raw.value.minimum,
    max: raw.value.maximum,
    integer: raw.value.type === 'integer',
    sample: params && {
      maxIdLength: params.max_length,
      min: params.min_samples_per_task,
      max: params.max_samples_per_task,
    },
  };
}

/** Every target the hub accepts, keyed by its name (tasks.json `model_tasks`). */
export const TARGET_RULES: ReadonlyMap<string, TargetRule> = new Map(
  MODEL_TASKS.flatMap((task) =>
    (task.task_ids.target.optional ?? []).map((target): [string, TargetRule] => [
      target,
      {
        target,
        horizons: task.task_ids.horizon.optional ?? undefined,
        dateValued: task.target_metadata[0]!.target_type === 'date',
        outputTypes: new Map(
          Object.entries(task.output_type).map(([type, raw]) => [
            type,
            outputTypeRule(raw, task.target_metadata[0]!.target_type === 'date'),
          ]),
        ),
      },
    ]),
  ),
);

/** The primary target: weekly confirmed influenza hospital admissions (counts). */
export const INC_HOSP_TARGET = 'wk inc flu hosp';
/** The categorical target: change of the weekly admission rate per 100k. */
export const RATE_CHANGE_TARGET = 'wk flu hosp rate change';

/** The 23 quantile levels of `wk inc flu hosp` (tasks.json `quantile.output_type_id.required`). */
export const QUANTILE_LEVELS: readonly number[] = (
  TARGET_RULES.get(INC_HOSP_TARGET)?.outputTypes.get('quantile')?.ids ?? []
).map(Number);

/** The five rate-change categories, in the order tasks.json lists them. */
export const RATE_CHANGE_CATEGORIES = [
  'large_decrease',
  'decrease',
  'stable',
  'increase',
  'large_increase',
] as const;
/** One rate-change category. */
export type RateChangeCategory = (typeof RATE_CHANGE_CATEGORIES)[number];

/** Location codes the hub accepts: "US" and the FIPS codes of the 50 states, DC and PR (tasks.json `location`). */
export const LOCATION_CODES: readonly string[] = MODEL_TASKS[0]?.task_ids.location.optional ?? [];

/**
 * Columns of a submission, in the order the hub's README lists them and in
 * which we write them (the hub itself accepts them in any order).
 */
export const HUB_COLUMNS = [
  'reference_date',
  'target',
  'horizon',
  'target_end_date',
  'location',
  'output_type',
  'output_type_id',
  'value',
] as const;
/** One submission column. */
export type HubColumn = (typeof HUB_COLUMNS)[number];

/**
 * Rate-change thresholds per horizon, in tenths of an admission per 100k
 * (exact integers): a change is stable below `stable`, large at or above
 * `large`. Horizons 0..3 only: tasks.json also allows horizon -1, but the hub
 * defines and scores no thresholds for it.
 */
export const RATE_CHANGE_THRESHOLDS_TENTHS: ReadonlyMap<
  number,
  { readonly stable: number; readonly large: number }
> = new Map([
  [0, { stable: 3, large: 17 }],
  [1, { stable: 5, large: 30 }],
  [2, { stable: 7, large: 40 }],
  [3, { stable: 10, large: 50 }],
]);

/** A change of fewer than this many admissions is always stable. */
const RATE_CHANGE_MIN_COUNT = 10;

/**
 * Category of a change in weekly admissions, `count change = admissions(target
 * week) - admissions(week ending reference_date - 7)`, at a horizon 0..3 for a
 * location of `population`. Stable when |count change| < 10 or |rate change| <
 * stable threshold; otherwise large when |rate change| >= large threshold, else
 * increase / decrease by sign (README Appendix 1: "less than" is stable, "larger
 * than or equal to" is large). Compared in counts, `count * 1e6` against
 * `tenths * population`, so integer counts are compared exactly.
 */
export function rateChangeCategory(
  countChange: number,
  population: number,
  horizon: number,
): RateChangeCategory {
  const thresholds = RATE_CHANGE_THRESHOLDS_TENTHS.get(horizon);
  if (thresholds === undefined)
    throw new RangeError(`No rate-change thresholds for horizon ${horizon}: expected 0, 1, 2 or 3`);
  const scaled = Math.abs(countChange) * 1e6; // count per 100k in tenths, times population
  if (Math.abs(countChange) < RATE_CHANGE_MIN_COUNT || scaled < thresholds.stable * population)
    return 'stable';
  const large = scaled >= thresholds.large * population;
  if (countChange > 0) return large ? 'large_increase' : 'increase';
  return large ? 'large_decrease' : 'decrease';
}

/** A team or model abbreviation (hub-config/model-metadata-schema.json `team_abbr`, `model_abbr`). */
export const MODEL_ID_PART = /^[A-Za-z0-9_+]{1,16}$/;

/** A submission file name `<reference_date>-<team>-<model>.csv` (the hub's model-output README). */
export const HUB_FILE_NAME =
  /^(\d{4}-\d{2}-\d{2})-([A-Za-z0-9_+]{1,16})-([A-Za-z0-9_+]{1,16})\.csv$/;

/**
 * Tolerance on a pmf's sum: the hub's validator (hubValidations
 * `check_tbl_value_col_sum1`) accepts `isTRUE(all.equal(sum, 1))`, R's default
 * relative tolerance sqrt(machine epsilon).
 */
export const PMF_SUM_TOLERANCE = Math.sqrt(Number.EPSILON);
