import type { WeeklyData } from './check-calibration.js';
import type { AgeDistribution } from './csv-data.js';
import type { ExperimentPlan } from './plan.js';
import type { ModelConfig, ModelsetConfig, OutputConfig } from './schema.js';
import type { ContactLayers } from './spec-parts.js';

/** The files of an experiment folder: path relative to the folder (`config/model.yaml`) -> text. */
export type ExperimentFiles = ReadonlyMap<string, string>;

/** A loaded, fully validated experiment. */
export interface Experiment {
  readonly model: ModelConfig;
  readonly modelset: ModelsetConfig | undefined;
  readonly output: OutputConfig;
  /** The chosen output config file, or undefined when the defaults apply. */
  readonly outputFile: string | undefined;
  /** The files each config came from. */
  readonly files: { readonly model: string; readonly modelset?: string };
  /** Age group names (`['0']` when the model has none). */
  readonly groups: readonly string[];
  /** Fraction of the population in each group, by location (`*`: every location). */
  readonly ageDistribution: AgeDistribution;
  readonly contact: readonly (readonly number[])[];
  /** `population.contact_layers` read from their CSVs (then `contact` is their sum). */
  readonly contactLayers?: ContactLayers | undefined;
  /** Forecast experiments: the calibration's data by location (FIPS or code), before the window cut. */
  readonly observed?: ReadonlyMap<string, WeeklyData> | undefined;
  /** What a run would cost (tasks, steps, result bytes), within the bounds of lib/experiment/bounds.ts. */
  readonly plan: ExperimentPlan;
}

/** Options of {@link loadExperiment}. */
export interface LoadOptions {
  /** Which output config to use when there are several (`OUTPUT_CONFIG_FILE`): a file name or `config/<name>`. */
  readonly outputConfigFile?: string;
  /** `REFERENCE_DATE` (a Saturday): overrides `modelset.calibration.reference_date`. */
  readonly referenceDate?: string;
}
