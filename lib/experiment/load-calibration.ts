import { parseTargetData } from '../forecast/target-data.js';
import type { CalibrationConfig } from './calibration-schema.js';
import { checkCalibration, type WeeklyData } from './check-calibration.js';
import { reporter } from './check-model.js';
import { sampledNames } from './check-modelset.js';
import type { ExperimentFiles } from './experiment.js';
import { findLocation, type Location } from './locations.js';
import type { ModelConfig, ModelsetConfig } from './schema.js';
import type { YamlSource } from './yaml-source.js';

/** The modelset with `reference_date` replaced by the run's override (`--reference-date`, `REFERENCE_DATE`). */
export function withReferenceDate(
  modelset: ModelsetConfig | undefined,
  referenceDate: string | undefined,
  problems: string[],
): ModelsetConfig | undefined {
  if (referenceDate === undefined || modelset === undefined) return modelset;
  if (modelset.calibration === undefined) {
    problems.push(
      `a reference date (${referenceDate}) was given for the run, but the experiment has no modelset.calibration: remove --reference-date / REFERENCE_DATE, or add a calibration`,
    );
    return modelset;
  }
  return { ...modelset, calibration: { ...modelset.calibration, reference_date: referenceDate } };
}

/**
 * Reads the calibration's data file and checks the calibration against the
 * model, the run's locations and the data. Returns the data by location
 * (FIPS or code), or undefined when the file is missing or unreadable.
 */
export function loadCalibrationData(
  source: YamlSource,
  calibration: CalibrationConfig,
  context: {
    readonly model: ModelConfig;
    readonly modelset: ModelsetConfig;
    readonly files: ExperimentFiles;
    readonly locationCodes: readonly string[];
  },
  problems: string[],
): ReadonlyMap<string, WeeklyData> | undefined {
  const report = reporter(source, problems);
  const text = context.files.get(calibration.data.replace(/^\.\//, ''));
  let data: ReadonlyMap<string, WeeklyData> | undefined;
  if (text === undefined)
    report(
      ['modelset', 'calibration', 'data'],
      `file "${calibration.data}" not found in the experiment folder: expected a CSV in the FluSight target-data layout`,
    );
  else {
    const parsed = parseTargetData(calibration.data, text);
    problems.push(...parsed.problems.slice(0, 20));
    if (parsed.problems.length > 20)
      problems.push(
        `${calibration.data}: ${parsed.problems.length - 20} more problem(s) not shown`,
      );
    if (parsed.problems.length === 0) data = parsed.series;
  }
  const locations = context.locationCodes
    .map(findLocation)
    .filter((l): l is Location => l !== undefined);
  checkCalibration(report, calibration, {
    model: context.model,
    sampledByModelset: sampledNames(context.modelset),
    locations,
    data,
  });
  return data;
}
