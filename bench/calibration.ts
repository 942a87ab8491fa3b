/**
 * Calibration speed: simulations per second inside ABC and milliseconds per
 * accepted particle, on the forecast example's national task (SEIR fitted to
 * ten weeks of admissions), against the peer's ABC rejection at about 12.5 ms
 * per simulation (target: >= 50x); then the wall time of the forecast example
 * over all 53 FluSight locations on this machine (process runtime).
 */
import { availableParallelism, loadavg } from 'node:os';
import { runForecast } from '../lib/calibration/forecast.js';
import { buildTaskInputs } from '../lib/experiment/expand.js';
import { loadExperiment } from '../lib/experiment/load.js';
import { readExperimentDir } from '../lib/experiment/snapshot.js';
import type { TaskInput } from '../lib/experiment/task.js';
import { exampleDir, scratchExample } from './example-run.js';

const PEER_MS_PER_SIMULATION = 12.5;

async function nationalTask(): Promise<TaskInput> {
  const exp = loadExperiment(await readExperimentDir(exampleDir('flusight-forecast')));
  return buildTaskInputs(exp, { expId: 'bench/calibration', runId: 'bench' })[0]!;
}

async function time(
  label: string,
  input: TaskInput,
  strategy: NonNullable<TaskInput['calibration']>['strategy'],
): Promise<void> {
  const task = { ...input.calibration!, strategy, samples: 1 };
  await runForecast(
    input.model,
    {
      ...task,
      strategy: strategy.type === 'rejection' ? { ...strategy, simulations: 200 } : strategy,
    },
    [1, 0],
  ); // warm-up
  const start = performance.now();
  const { posterior } = await runForecast(input.model, task, [input.randomSeed, 0]);
  const ms = performance.now() - start;
  const perSim = ms / posterior.simulations;
  console.log(
    `${label}: ${posterior.simulations} simulations in ${(ms / 1000).toFixed(2)} s = ${Math.round(posterior.simulations / (ms / 1000))} simulations/s, ` +
      `${perSim.toFixed(3)} ms per simulation (${Math.round(PEER_MS_PER_SIMULATION / perSim)}x the peer's ${PEER_MS_PER_SIMULATION} ms; target >= 50x), ` +
      `${(ms / posterior.values.length).toFixed(1)} ms per accepted particle (${posterior.values.length} accepted)`,
  );
}

async function wholeExample(): Promise<void> {
  const scratch = await scratchExample('flusight-forecast', {
    'config/modelset.yaml': (t) => t.replace(/population_names: .*/, 'population_names: all'),
  });
  try {
    const result = await scratch.run();
    const d = result.durationsMs;
    console.log(
      `forecast example, 53 locations, ${availableParallelism()} cores (process runtime): wall ${(result.totalMs / 1000).toFixed(1)} s ` +
        `(Stage A ${((d.builder ?? 0) / 1000).toFixed(1)} s, Stage B ${((d.runner ?? 0) / 1000).toFixed(1)} s, Stage C ${((d.output ?? 0) / 1000).toFixed(1)} s)`,
    );
  } finally {
    await scratch.dispose();
  }
}

/** Prints the calibration figures. */
export async function run(): Promise<void> {
  console.log(`calibration: load average ${loadavg()[0]!.toFixed(1)}; one thread per task`);
  const input = await nationalTask();
  await time('ABC rejection (5,000 draws, top 2%)', input, {
    type: 'rejection',
    simulations: 5000,
    topFraction: 0.02,
  });
  await time(
    'ABC-SMC (the example: 300 particles, 8 generations)',
    input,
    input.calibration!.strategy,
  );
  await wholeExample();
}
