import { ConfigError } from '../../../lib/errors.js';
import { loadExperiment } from '../../../lib/experiment/load.js';
import { type LoadOptions } from '../../../lib/experiment/experiment.js';
/** A valid one-group SIR basemodel; tests edit its text to break it. */
export const SIR_MODEL = `model:
  name: sir
  random_seed: 1
  timespan:
    start_date: 2024-01-01
    end_date: 2024-01-31
    delta_t: 1
  simulation:
    n_sims: 5
    resample: daily
  population:
    name: US-MA
  compartments:
    - id: S
      init: default
    - id: I
      init: 10
    - id: R
  transitions:
    - type: mediated
      source: S
      target: I
      mediator: I
      rate: beta
    - type: spontaneous
      source: I
      target: R
      rate: gamma
  parameters:
    beta: 0.3
    gamma:
      type: scalar
      value: 0.1
`;

/** An experiment's files from name -> text pairs. */
export function filesOf(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

/** The problems of a config that must fail to load (throws when it loads). */
export function problemsOf(
  files: Record<string, string>,
  options: LoadOptions = {},
): readonly string[] {
  try {
    loadExperiment(filesOf(files), options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The problems of the SIR fixture edited, with extra files. */
export const withModel = (edit: (text: string) => string, extra: Record<string, string> = {}) =>
  problemsOf({ 'config/model.yaml': edit(SIR_MODEL), ...extra });
