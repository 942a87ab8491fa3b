/** A transition of a resolved model; `rate` is an expression over the parameters. */
export interface TransitionSpec {
  readonly type: 'spontaneous' | 'mediated';
  readonly source: string;
  readonly target: string;
  readonly rate: string;
  /** Compartment whose prevalence drives a mediated transition. */
  readonly mediator?: string;
}

/** A calculated parameter: an expression over the parameters (and earlier derived ones), evaluated per group. */
export interface DerivedParameter {
  readonly name: string;
  readonly expression: string;
}

/**
 * From `startDay` to `endDay` (day numbers, inclusive: the steps that start
 * from startDay 00:00 to endDay 00:00, as epydemix) the parameter takes
 * `value` in every group: a number, or an expression evaluated over the
 * values without overrides. Derived parameters follow an overridden one.
 */
export interface ParameterOverride {
  readonly parameter: string;
  readonly startDay: number;
  readonly endDay: number;
  readonly value: number | string;
}

/** Seasonal forcing: every mediated rate times `1 + amplitude * cos(2 pi (day - peakDay) / periodDays)`. */
export interface Seasonality {
  /** A number in [0, 1) or an expression (a parameter name) over the values without overrides. */
  readonly amplitude: number | string;
  readonly peakDay: number;
  readonly periodDays: number;
}

/** From `startDay` to `endDay` (as overrides) a contact layer is multiplied by `reductionFactor` (epydemix's add_intervention). */
export interface ContactIntervention {
  readonly layer: string;
  readonly startDay: number;
  readonly endDay: number;
  readonly reductionFactor: number;
}

/**
 * A fully resolved model for one task: everything the engine needs, plain
 * JSON (it travels inside the task input). Parameters hold one value per
 * group; {@link compileModel} evaluates `derived` after them, so changing a
 * parameter (e.g. per calibration particle) and compiling again is enough.
 */
export interface ModelSpec {
  readonly compartments: readonly string[];
  readonly groups: readonly string[];
  /** Population of each group. */
  readonly groupSizes: readonly number[];
  /** Contact matrix C[g][h]; with `contactLayers`, their sum (the engine then uses the layers). */
  readonly contact: readonly (readonly number[])[];
  /** Named contact layers C[g][h], summed by the engine after interventions. */
  readonly contactLayers?: Readonly<Record<string, readonly (readonly number[])[]>>;
  readonly interventions?: readonly ContactIntervention[];
  /** Initial counts per compartment, one per group; each group sums to its size. */
  readonly init: Readonly<Record<string, readonly number[]>>;
  readonly parameters: Readonly<Record<string, readonly number[]>>;
  /** Calculated parameters in dependency order, evaluated per group (and per time segment) after `parameters`. */
  readonly derived?: readonly DerivedParameter[];
  readonly overrides?: readonly ParameterOverride[];
  readonly seasonality?: Seasonality;
  readonly transitions: readonly TransitionSpec[];
  /** Days since 1970-01-01 of the first step. */
  readonly startDay: number;
  readonly dt: number;
  readonly steps: number;
}
