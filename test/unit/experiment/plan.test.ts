import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  MAX_RESULT_BYTES_PER_TASK,
  MAX_STEPS_PER_TASK,
  MAX_TASKS,
} from '../../../lib/experiment/bounds.js';
import { loadExperiment } from '../../../lib/experiment/load.js';
import { describePlan, formatBytes } from '../../../lib/experiment/plan.js';
import { validateExperimentDir, type ExperimentCheck } from '../../../lib/experiment/snapshot.js';
import { forecastExperiment } from '../stages/forecast-fixture.js';
import { filesOf, problemsOf, SIR_MODEL } from './fixtures.js';

const examples = fileURLToPath(
  new URL('../../../local/forecast/experiments/examples/', import.meta.url),
);

describe('the plan of an experiment', () => {
  it('counts tasks, steps, dates and result bytes from the configs', async () => {
    const { plan, numTasks } = (await validateExperimentDir(
      `${examples}flu-states-sampling`,
    )) as ExperimentCheck;
    expect(numTasks).toBe(24);
    expect(plan).toEqual({
      tasks: 24,
      locations: 4,
      samplesPerLocation: 6,
      stepsPerTask: 239,
      simulationsPerTask: 100,
      trajectoriesPerTask: 100,
      datesPerTask: 35,
      series: 10,
      groups: 5,
      resultBytesPerTask: 100 * 35 * 10 * 5 * 8,
    });
    expect(describePlan(plan)).toBe(
      '24 task(s) (4 location(s) x 6 sample(s)), each up to 100 simulation(s) of 239 step(s); results about 1.3 MiB per task, 32 MiB in all',
    );
  });

  it('counts a forecast by its projected samples and fitting budget', () => {
    const { plan } = loadExperiment(filesOf(forecastExperiment()));
    expect(plan).toMatchObject({
      tasks: 2,
      trajectoriesPerTask: 100,
      simulationsPerTask: 60_000 + 100,
      series: 7,
      groups: 1,
    });
  });

  it('refuses a delta_t that would make billions of steps, naming the bound and the value', () => {
    expect(
      problemsOf({ 'config/model.yaml': SIR_MODEL.replace('delta_t: 1', 'delta_t: 1e-9') }),
    ).toEqual([
      `config/model.yaml: model.timespan.delta_t (line 7): a task would simulate 30,000,000,001 steps of 1e-9 day(s): expected at most ${MAX_STEPS_PER_TASK.toLocaleString('en-US')} (MAX_STEPS_PER_TASK); use a larger delta_t or a shorter timespan`,
    ]);
  });

  it('refuses n_samples: 100000 over all locations at once, without building a task', () => {
    const modelset =
      'modelset:\n  population_names: all\n  sampling:\n    latin_hypercube:\n      n_samples: 100000\n      parameters:\n        beta: {low: 0.1, high: 0.5}\n';
    const started = performance.now();
    const problems = problemsOf({
      'config/model.yaml': SIR_MODEL.replace('    beta: 0.3\n', '    beta: {type: sampled}\n'),
      'config/modelset.yaml': modelset,
    });
    expect(problems).toEqual([
      `config/modelset.yaml: modelset (line 2): the run would have 5,300,000 tasks (53 location(s) x 100,000 sample(s)): expected at most ${MAX_TASKS.toLocaleString('en-US')} (MAX_TASKS); sample fewer points or split the experiment`,
    ]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses a task result estimated past its bound, for simulations and for projections', () => {
    const sims = problemsOf({
      'config/model.yaml': SIR_MODEL.replace('n_sims: 5', 'n_sims: 100000').replace(
        'end_date: 2024-01-31',
        'end_date: 2024-12-31',
      ),
    });
    expect(sims).toEqual([
      `config/model.yaml: model.simulation.n_sims (line 9): a task's result would hold about 1.4 GiB (100,000 trajectories x 366 dates x 5 series x 1 group(s) x 8 bytes): expected at most ${formatBytes(MAX_RESULT_BYTES_PER_TASK)} (MAX_RESULT_BYTES_PER_TASK); use fewer trajectories, a coarser resample or a shorter timespan`,
    ]);
    const files = forecastExperiment();
    files['config/modelset.yaml'] = files['config/modelset.yaml']!.replace(
      'samples: 100',
      'samples: 100000',
    );
    files['config/modelset.yaml'] = files['config/modelset.yaml']!.replace(
      'horizon_weeks: 3',
      'horizon_weeks: 52',
    );
    expect(problemsOf(files)).toEqual([
      expect.stringMatching(
        /^config\/modelset\.yaml: modelset\.calibration\.projection\.samples \(line \d+\): a task's result would hold about .* \(100,000 trajectories x /,
      ),
    ]);
  });
});
