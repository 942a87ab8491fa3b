/**
 * Local mode: Stage B parallel efficiency (sum of task times / slots / wall
 * time; target >= 90% on 2 cores for 20 tasks of >= 2 s; the reference's
 * sequential mode gives 50%) and the overhead of the Docker runtime over
 * host processes on the same run. Uses a bench-only experiment: the
 * flu-states example cut to 20 tasks of >= 2 s each (2,000 simulations).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalBackend } from '../lib/local/backend.js';
import type { WorkflowResult } from '../lib/backend/types.js';
import { RunLayout } from '../lib/contract/layout.js';
import { localExperiments } from '../lib/host/experiment-source.js';
import { IMAGES } from '../lib/host/images.js';
import { localPaths, PROJECT_ROOT } from '../lib/host/paths.js';
import { bucketPath } from '../lib/local/run-state.js';
import type { Runtime } from '../lib/local/types.js';

const EXP_ID = 'bench/twenty-tasks';
const N_SIMS = Number(process.env.EPYCLOUD_BENCH_SIMS ?? 2000);

async function benchExperiment(localDir: string): Promise<void> {
  const from = join(
    PROJECT_ROOT,
    'local',
    'forecast',
    'experiments',
    'examples',
    'flu-states-sampling',
  );
  const to = join(localDir, 'forecast', 'experiments', ...EXP_ID.split('/'));
  await cp(from, to, { recursive: true });
  const model = await readFile(join(to, 'config', 'model.yaml'), 'utf8');
  await writeFile(
    join(to, 'config', 'model.yaml'),
    model.replace(/n_sims: \d+/, `n_sims: ${N_SIMS}`),
  );
  const modelset = [
    'modelset:',
    '  population_names: [US-MA, US-NY, US-TX, US-WA]',
    '  sampling:',
    '    latin_hypercube:',
    '      n_samples: 5',
    '      parameters: { R0: { low: 1.3, high: 1.8 } }',
    '      compartments: { I: { low: 0.00001, high: 0.0001 } }',
  ];
  await writeFile(join(to, 'config', 'modelset.yaml'), `${modelset.join('\n')}\n`);
}

/** Sum of the in-process stage times the tasks logged (`stage completed`, duration_ms). */
async function stageMs(bucketDir: string, runId: string, numTasks: number): Promise<number> {
  const layout = new RunLayout(EXP_ID, runId);
  let total = 0;
  for (let i = 0; i < numTasks; i += 1) {
    const text = await readFile(bucketPath(bucketDir, layout.log('runner', i)), 'utf8');
    const done = text
      .split('\n')
      .filter((l) => l.includes('"stage completed"'))
      .pop();
    total +=
      done === undefined ? 0 : Number((JSON.parse(done) as { duration_ms: number }).duration_ms);
  }
  return total;
}

async function runOnce(
  localDir: string,
  runtime: Runtime,
  slots: number,
): Promise<{ result: WorkflowResult; computeMs: number }> {
  const paths = localPaths(localDir, process.cwd());
  const user = { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 };
  const backend = createLocalBackend({
    paths,
    runtime,
    hostEnv: process.env,
    user,
    experiments: localExperiments,
  });
  const result = await backend.runWorkflow(
    { expId: EXP_ID, parallelism: slots, retries: 0, skipOutput: true },
    () => {},
  );
  if (result.status !== 'succeeded') throw new Error(`bench run failed: ${result.failure}`);
  return { result, computeMs: await stageMs(paths.bucketDir, result.runId, result.numTasks) };
}

const dockerReady = (): boolean =>
  spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('docker', ['image', 'inspect', IMAGES.local], { stdio: 'ignore' }).status === 0;

function report(label: string, run: { result: WorkflowResult; computeMs: number }): void {
  const r = run.result.runner!;
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  console.log(
    `${label}: ${r.tasksRun} tasks on ${r.parallelism} slots, Stage B wall ${(r.wallMs / 1000).toFixed(1)} s, ` +
      `mean task ${(r.busyMs / r.tasksRun / 1000).toFixed(2)} s (in-stage ${(run.computeMs / r.tasksRun / 1000).toFixed(2)} s); ` +
      `parallel efficiency ${pct(r.efficiency)} (target >= 90%; reference sequential 50%), in-stage share ${pct(run.computeMs / (r.parallelism * r.wallMs))}`,
  );
}

/** Runs the bench experiment as processes, then through Docker when it is ready, and prints the figures. */
export async function run(): Promise<void> {
  const localDir = await mkdtemp(join(tmpdir(), 'epycloud-bench-local-'));
  const slots = availableParallelism();
  try {
    console.log(
      `local: ${slots} cores, load average ${loadavg()[0]!.toFixed(1)}, ${N_SIMS} simulations per task`,
    );
    await benchExperiment(localDir);
    const processRun = await runOnce(localDir, 'process', slots);
    report('local process runtime', processRun);
    if (!dockerReady()) {
      console.log(
        'local docker runtime: skipped (no engine or no epycloud:local image: bash scripts/docker-engine.sh start && epycloud build local)',
      );
      return;
    }
    const dockerRun = await runOnce(localDir, 'docker', slots);
    report('local docker runtime', dockerRun);
    const [p, d] = [processRun.result.runner!, dockerRun.result.runner!];
    const startup = (r: typeof p, computeMs: number): number =>
      (r.busyMs - computeMs) / r.tasksRun / 1000;
    const [ps, ds] = [startup(p, processRun.computeMs), startup(d, dockerRun.computeMs)];
    console.log(
      `docker overhead over process: per-task start-up and teardown ${ds.toFixed(2)} s vs ${ps.toFixed(2)} s ` +
        `(+${(ds - ps).toFixed(2)} s per task); Stage B wall ${(d.wallMs / 1000).toFixed(1)} s vs ${(p.wallMs / 1000).toFixed(1)} s ` +
        `(${(((d.wallMs - p.wallMs) / p.wallMs) * 100).toFixed(1)}%; wall figures move with the machine's load)`,
    );
  } finally {
    await rm(localDir, { recursive: true, force: true });
  }
}
