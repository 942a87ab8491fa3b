/**
 * Local mode: Stage B wall time of examples/flu-states-sampling (24 tasks)
 * on every core, and the whole run's, as host processes and in Docker (slot
 * containers: one long-lived container per slot), plus, for reference,
 * Docker with one `compose run` per stage and task (how Docker ran before
 * slot containers). Median of `EPYCLOUD_BENCH_RUNS` runs each (default 3),
 * the runtimes taking turns so that a change of the machine's load hits them
 * alike.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalBackend } from '../lib/local/backend.js';
import { detectCompose } from '../lib/local/compose.js';
import { exec } from '../lib/host/exec.js';
import { localExperiments } from '../lib/host/experiment-source.js';
import { IMAGES } from '../lib/host/images.js';
import { localPaths, PROJECT_ROOT, type LocalPaths } from '../lib/host/paths.js';
import { composeLauncher } from '../lib/local/launchers.js';
import type { Runtime, StageLauncher } from '../lib/local/types.js';

const EXP_ID = 'examples/flu-states-sampling';
const RUNS = Number(process.env.EPYCLOUD_BENCH_RUNS ?? 3);
const user = { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 };

/** One way to run Stage B. */
interface Variant {
  readonly label: string;
  readonly runtime: Runtime;
  readonly launcher?: () => Promise<StageLauncher>;
}

/** Wall times (ms) of one run of the example. */
interface Times {
  readonly stageB: number;
  /** The whole run: validation, snapshot, Stage A, Stage B, Stage C, closing. */
  readonly run: number;
}

async function timeRun(paths: LocalPaths, variant: Variant, slots: number): Promise<Times> {
  const backend = createLocalBackend({
    paths,
    runtime: variant.runtime,
    hostEnv: process.env,
    user,
    experiments: localExperiments,
    ...(variant.launcher ? { launcher: await variant.launcher() } : {}),
  });
  const result = await backend.runWorkflow(
    { expId: EXP_ID, parallelism: slots, retries: 0 },
    () => {},
  );
  if (result.status !== 'succeeded') throw new Error(`bench run failed: ${result.failure}`);
  return { stageB: result.runner!.wallMs, run: result.totalMs ?? 0 };
}

const dockerReady = (): boolean =>
  spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('docker', ['image', 'inspect', IMAGES.local], { stdio: 'ignore' }).status === 0;

function variants(paths: LocalPaths): Variant[] {
  const perTask = async (): Promise<StageLauncher> =>
    composeLauncher({
      paths,
      hostEnv: process.env,
      compose: await detectCompose(exec),
      image: IMAGES.local,
      user,
      exec,
    });
  return [
    { label: 'process', runtime: 'process' },
    ...(dockerReady()
      ? ([
          { label: 'docker, slot containers', runtime: 'docker' },
          { label: 'docker, compose run per launch', runtime: 'docker', launcher: perTask },
        ] as const)
      : []),
  ];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Runs the example with each variant in turn, `RUNS` rounds, and prints the medians side by side. */
export async function run(): Promise<void> {
  const localDir = await mkdtemp(join(tmpdir(), 'epycloud-bench-local-'));
  const slots = availableParallelism();
  try {
    const experiment = join('forecast', 'experiments', ...EXP_ID.split('/'));
    await cp(join(PROJECT_ROOT, 'local', experiment), join(localDir, experiment), {
      recursive: true,
    });
    const paths = localPaths(localDir, process.cwd());
    const all = variants(paths);
    const load = loadavg()[0]!.toFixed(1);
    const times = all.map(() => [] as Times[]);
    for (let round = 0; round < RUNS; round += 1) {
      for (const [i, variant] of all.entries())
        times[i]!.push(await timeRun(paths, variant, slots));
    }
    console.log(
      `local: ${EXP_ID} (24 tasks) on ${slots} slots, wall times, median of ${RUNS} runs each ` +
        `(load average ${load} before, ${loadavg()[0]!.toFixed(1)} after):`,
    );
    const figure = (i: number, key: keyof Times): string => {
      const m = median(times[i]!.map((t) => t[key]));
      const base = median(times[0]!.map((t) => t[key]));
      const vs =
        i === 0 ? '' : ` ${m >= base ? '+' : ''}${(((m - base) / base) * 100).toFixed(1)}%`;
      return `${seconds(m).padStart(5)} s (${times[i]!.map((t) => seconds(t[key])).join(', ')})${vs}`;
    };
    const width = Math.max(...all.map((variant) => variant.label.length));
    for (const [i, variant] of all.entries()) {
      console.log(
        `  ${variant.label.padEnd(width)}  Stage B ${figure(i, 'stageB')}; whole run ${figure(i, 'run')}`,
      );
    }
    if (all.length === 1) console.log('  docker: skipped (no engine or no epycloud:local image)');
  } finally {
    await rm(localDir, { recursive: true, force: true });
  }
}
