import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerBaseEnv } from '../../../lib/rehearsal/index.js';
import {
  processContainerLauncher,
  type ContainerLauncher,
} from '../../../lib/rehearsal/launcher.js';
import type { S3Server } from '../../../lib/rehearsal/s3-server.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A process launcher of the bundle against the S3 server, counting launches. */
export function countingLauncher(
  server: S3Server,
  bundlePath: string,
): ContainerLauncher & { launches: number } {
  const real = processContainerLauncher({
    projectRoot: ROOT,
    entry: { bundlePath },
    baseEnv: containerBaseEnv(process.env, server),
  });
  const launcher = Object.assign(
    (launch: Parameters<ContainerLauncher>[0]) => {
      launcher.launches++;
      return real(launch);
    },
    { launches: 0 },
  );
  return launcher;
}

/**
 * A tiny experiment with N tasks (one state, a Latin hypercube of N samples
 * over R0, two weeks, two simulations per task) in a fresh folder; N = 1 is a
 * basemodel alone.
 */
export async function tinyExperiment(numTasks: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `epycloud-tiny-${numTasks}-`));
  await mkdir(join(dir, 'config'));
  const sampled = numTasks > 1;
  await writeFile(
    join(dir, 'config', 'model.yaml'),
    `model:
  name: tiny
  random_seed: 7
  timespan: { start_date: 2025-10-04, end_date: 2025-10-17, delta_t: 1 }
  simulation: { n_sims: 2, resample: none }
  population: { name: US-MA }
  compartments:
    - { id: S, init: default }
    - { id: I, init: 10 }
    - { id: R, init: 0 }
  transitions:
    - { type: mediated, source: S, target: I, mediator: I, rate: beta }
    - { type: spontaneous, source: I, target: R, rate: gamma }
  parameters:
    R0: ${sampled ? '{ type: sampled }' : '1.5'}
    gamma: 0.25
    beta: { type: calculated, expression: R0 * gamma }
`,
  );
  if (sampled) {
    await writeFile(
      join(dir, 'config', 'modelset.yaml'),
      `modelset:
  population_names: [US-MA]
  sampling:
    latin_hypercube:
      n_samples: ${numTasks}
      parameters:
        R0: { low: 1.2, high: 1.8 }
`,
    );
  }
  await writeFile(
    join(dir, 'config', 'output.yaml'),
    `output:
  quantiles: { compartments: [I], transitions: false }
  trajectories: { compartments: false, transitions: false }
  model_metadata: false
`,
  );
  return dir;
}
