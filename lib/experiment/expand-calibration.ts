import { priorCentre } from '../calibration/priors.js';
import { dayNumber, isoDate } from '../engine/dates.js';
import type { ModelSpec } from '../engine/spec.js';
import type { CalibrationTask } from './calibration-task.js';
import {
  DEFAULT_PROJECTION_SAMPLES,
  lastObservedDay,
  type CalibrationConfig,
} from './calibration-schema.js';
import { fittedWeeks, locationData } from './check-calibration.js';
import type { Experiment } from './experiment.js';
import type { Location } from './locations.js';
import type { Sample } from './samples.js';

/** The sample with every calibrated quantity at its prior's centre, so Stage A can build and check the model. */
export function withPriorCentres(sample: Sample, calibration: CalibrationConfig): Sample {
  const centres = (priors: CalibrationConfig['priors']['parameters']) =>
    Object.fromEntries(Object.entries(priors).map(([name, prior]) => [name, priorCentre(prior)]));
  return {
    ...sample,
    parameters: { ...sample.parameters, ...centres(calibration.priors.parameters) },
    compartments: { ...sample.compartments, ...centres(calibration.priors.compartments) },
  };
}

function stepsUntil(spec: ModelSpec, day: number): number {
  return Math.floor((day - spec.startDay) / spec.dt + 1e-9) + 1;
}

function strategyOf(calibration: CalibrationConfig): CalibrationTask['strategy'] {
  const s = calibration.strategy;
  if (s.type === 'rejection')
    return {
      type: 'rejection',
      simulations: s.simulations,
      tolerance: s.tolerance,
      topFraction: s.top_fraction,
    };
  return {
    type: 'smc',
    particles: s.particles,
    generations: s.generations,
    toleranceQuantile: s.tolerance_quantile,
    minTolerance: s.min_tolerance,
    kernel: s.kernel,
    maxSimulations: s.max_simulations,
  };
}

/**
 * A forecast task: the model runs to the last projected week (reference_date
 * + 7 * horizon_weeks), the fit to the end of the week ending reference_date - 7;
 * the task carries only the weeks the fit may see.
 */
export function forecastTask(
  exp: Experiment,
  calibration: CalibrationConfig,
  location: Location,
  spec: ModelSpec,
): { model: ModelSpec; calibration: CalibrationTask } {
  const lastDay = lastObservedDay(calibration.reference_date);
  const endDay = dayNumber(calibration.reference_date)! + 7 * calibration.projection.horizon_weeks;
  const firstWholeWeek = isoDate(spec.startDay + 6);
  const weeks = fittedWeeks(locationData(exp.observed!, location)!, calibration).filter(
    (w) => w.date >= firstWholeWeek,
  );
  const { observed } = calibration;
  const target =
    observed.transition !== undefined
      ? { kind: 'transition' as const, name: observed.transition }
      : { kind: 'compartment' as const, name: observed.compartment! };
  const free = [
    ...Object.entries(calibration.priors.parameters).map(([name, prior]) => ({
      kind: 'parameter' as const,
      name,
      prior,
    })),
    ...Object.entries(calibration.priors.compartments).map(([name, prior]) => ({
      kind: 'compartment' as const,
      name,
      prior,
    })),
  ];
  return {
    model: { ...spec, steps: stepsUntil(spec, endDay) },
    calibration: {
      referenceDate: calibration.reference_date,
      observed: { dates: weeks.map((w) => w.date), values: weeks.map((w) => w.value) },
      target: {
        ...target,
        ...(observed.reporting_fraction ? { reportingFraction: observed.reporting_fraction } : {}),
      },
      free,
      defaultCompartment: exp.model.compartments.find((c) => c.init?.kind === 'default')!.id,
      distance: calibration.distance,
      strategy: strategyOf(calibration),
      fitSteps: stepsUntil(spec, lastDay),
      samples: calibration.projection.samples ?? DEFAULT_PROJECTION_SAMPLES,
    },
  };
}
