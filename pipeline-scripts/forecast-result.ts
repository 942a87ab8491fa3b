import { runForecast } from '../lib/calibration/forecast.js';
import type { OnGeneration } from '../lib/calibration/fit-target.js';
import { StageError } from '../lib/errors.js';
import type { TaskInput, TaskResult } from '../lib/experiment/task.js';
import { resultDocument } from './result-document.js';

/** Stage B of a forecast task: calibrate, project the posterior, and pack both into the task's result. */
export async function computeForecastResult(
  input: TaskInput,
  inputSha256: string,
  onGeneration?: OnGeneration,
): Promise<TaskResult> {
  const task = input.calibration;
  if (task === undefined)
    throw new StageError(`Task ${input.taskIndex} has no calibration section`);
  const { names, posterior, projection } = await runForecast(
    input.model,
    task,
    [input.randomSeed, input.taskIndex],
    onGeneration,
  );
  return resultDocument(
    input,
    inputSha256,
    { ...projection, nSims: projection.samples },
    {
      referenceDate: task.referenceDate,
      strategy: task.strategy.type,
      distance: task.distance,
      names: [...names],
      particles: {
        values: posterior.values.map((v) => Array.from(v)),
        weights: Array.from(posterior.weights),
        distances: Array.from(posterior.distances),
      },
      generations: posterior.generations.map((g) => ({
        ...g,
        tolerance: Number.isFinite(g.tolerance) ? g.tolerance : null,
      })),
      simulations: posterior.simulations,
      observed: task.observed,
      series: Array.from(projection.observed),
    },
  );
}
