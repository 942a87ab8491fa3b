import { runForecast } from '../../../lib/calibration/forecast.js';
import { type ForecastTask } from '../../../lib/calibration/forecast-task.js';
import { WeeklySimulator } from '../../../lib/calibration/simulator.js';
import type { Strategy } from '../../../lib/calibration/forecast-task.js';
import { seirSpec } from '../../../lib/engine/reference-models.js';

/** The truth of the synthetic data: transmission rate and reporting fraction. */
export const TRUTH = { beta: 0.32, rho: 0.02 };

/** Whole weeks fitted: the simulation starts on Sunday 2023-12-31 and the fit ends on a Saturday. */
const WEEKS = 12;

/** An SEIR (N = 1e6, 1,000 infectious on day 0) whose E->I flow, thinned by rho, is the observed series. */
export function syntheticSpec() {
  const n = 1_000_000;
  const init = { Susceptible: [n - 1000], Exposed: [0], Infected: [1000], Recovered: [0] };
  const spec = seirSpec({ startDay: 19722, steps: WEEKS * 7 + 28, init });
  return { ...spec, parameters: { ...spec.parameters, beta: [TRUTH.beta], rho: [TRUTH.rho] } };
}

/** Twelve weeks of data from one stochastic run at the truth (its own stream, not one the fit will use). */
export function syntheticData(): { dates: string[]; values: number[] } {
  const spec = { ...syntheticSpec(), steps: WEEKS * 7 };
  const sim = new WeeklySimulator(spec, {
    kind: 'transition',
    name: 'Exposed_to_Infected',
    reportingFraction: 'rho',
  });
  const { observed } = sim.run(spec, [777, 777, 777, 777, 777]);
  return { dates: [...sim.binning.labels], values: Array.from(observed) };
}

/** The forecast task for the synthetic data with uniform priors on beta and log-uniform on rho. */
export function syntheticTask(strategy: Strategy, samples = 200): ForecastTask {
  return {
    observed: syntheticData(),
    target: { kind: 'transition', name: 'Exposed_to_Infected', reportingFraction: 'rho' },
    free: [
      { kind: 'parameter', name: 'beta', prior: { type: 'uniform', low: 0.2, high: 0.5 } },
      { kind: 'parameter', name: 'rho', prior: { type: 'log_uniform', low: 0.002, high: 0.2 } },
    ],
    defaultCompartment: 'Susceptible',
    distance: 'rmse',
    strategy,
    fitSteps: WEEKS * 7,
    samples,
  };
}

/** Runs the synthetic forecast. */
export function fitSynthetic(strategy: Strategy, samples = 200) {
  return runForecast(syntheticSpec(), syntheticTask(strategy, samples), [2025, 0]);
}
