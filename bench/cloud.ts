/**
 * Cloud pipeline cost: Step Functions state transitions per run, measured by
 * rehearsing the synthesized state machine for several task counts, task
 * durations and parallelism caps. Target: at most 15, independent of N and
 * of task duration (`.sync` waits without polling; a 15 s polling loop costs
 * about 3 transitions per poll). Containers are stand-ins that sleep for the
 * task duration; above 1,000 tasks the run is planning-only.
 */
import { loadRehearsalStack } from '../lib/rehearsal/index.js';
import type { ContainerLauncher } from '../lib/rehearsal/launcher.js';
import { rehearse } from '../lib/rehearsal/rehearse.js';
import { startS3Server } from '../lib/rehearsal/s3-server.js';

const TARGET = 15;

interface Case {
  readonly numTasks: number;
  readonly taskMs: number;
  readonly maxParallelism?: number;
}

const CASES: readonly Case[] = [
  { numTasks: 1, taskMs: 0 },
  { numTasks: 2, taskMs: 0 },
  { numTasks: 100, taskMs: 0 },
  { numTasks: 100, taskMs: 200 },
  { numTasks: 1_000, taskMs: 20 },
  { numTasks: 10_000, taskMs: 0 },
  { numTasks: 25_000, taskMs: 0 },
  { numTasks: 100_000, taskMs: 0 },
  { numTasks: 1_000, taskMs: 0, maxParallelism: 500 },
  { numTasks: 1_000, taskMs: 0, maxParallelism: 10 },
];

/** A container that sleeps for the task duration and exits 0. */
const sleeper =
  (ms: number): ContainerLauncher =>
  () =>
    new Promise((resolve) =>
      setTimeout(
        () => resolve({ exitCode: 0, reason: 'Essential container in task exited', logTail: '' }),
        ms,
      ),
    );

/** Prints one line per case: N, task duration, cap, Stage B jobs, state transitions, wall time. */
export async function run(): Promise<void> {
  const stack = await loadRehearsalStack(new URL('..', import.meta.url).pathname);
  const server = await startS3Server([stack.bucketName]);
  try {
    process.stdout.write('cloud: state transitions per run (target <= 15)\n');
    process.stdout.write('  tasks    task ms  max par  B jobs  transitions  wall ms\n');
    for (const [i, c] of CASES.entries()) {
      const planOnly = c.numTasks > 1_000;
      const result = await rehearse(
        {
          expId: 'bench',
          runId: `bench-${i}`,
          maxParallelism: c.maxParallelism,
          ...(planOnly ? { planOnlyTasks: c.numTasks } : { seedTasks: c.numTasks }),
        },
        { stack, s3Env: server.env, launcher: sleeper(c.taskMs), concurrency: 256 },
      );
      const jobs = result.jobs.filter((j) => j.stage === 'runner').length;
      const flag = result.stateTransitions > TARGET ? '  over target' : '';
      const cells = [
        c.numTasks,
        c.taskMs,
        c.maxParallelism ?? '-',
        jobs,
        result.stateTransitions,
        result.durationMs,
      ];
      process.stdout.write(
        `  ${cells.map((v, k) => String(v).padStart(k === 0 ? 7 : 8)).join('  ')}${planOnly ? '  (planning only)' : ''}${flag}${result.status === 'succeeded' ? '' : `  ${result.status}: ${result.cause}`}\n`,
      );
    }
  } finally {
    await server.stop();
  }
}
