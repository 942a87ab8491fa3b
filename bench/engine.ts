/**
 * Engine speed: simulations per second of the reference SIR and SEIR cases
 * (population 1e6, 200 days, dt = 1, 100 runs) and of a 5-age-group SEIR, on
 * one core, against the peer engine's figures (shared/reference/README.md).
 */
import { runEnsemble } from '../lib/engine/ensemble.js';
import type { ModelSpec } from '../lib/engine/spec.js';
import { Rng } from '../lib/engine/rng.js';
import { ageSeirSpec, seirSpec, sirSpec } from '../lib/engine/reference-models.js';

interface Case {
  readonly name: string;
  readonly spec: ModelSpec;
  /** Peer milliseconds per simulation (the 5-age figure is a range, 20-30; we compare against its low end). */
  readonly peerMs: number;
}

const CASES: readonly Case[] = [
  { name: 'SIR (1e6, 200 d)', spec: sirSpec(), peerMs: 10 },
  { name: 'SEIR (1e6, 200 d)', spec: seirSpec(), peerMs: 14 },
  { name: 'SEIR 5 age groups', spec: ageSeirSpec(), peerMs: 20 },
];

const RUNS = 100;
const REPEATS = 9;

interface Timing {
  /** Fastest wall time per simulation (least disturbed by other load). */
  readonly bestMs: number;
  /** Median CPU time of this process per simulation (robust to a busy machine). */
  readonly cpuMs: number;
}

/** Times `REPEATS` ensembles of `RUNS` simulations each. */
function measure(spec: ModelSpec): Timing {
  runEnsemble(spec, { nSims: RUNS, resample: 'daily', seedKeys: [1] }); // warm-up (JIT)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    runEnsemble(spec, { nSims: RUNS, resample: 'daily', seedKeys: [12345, r] });
    const used = process.cpuUsage(startCpu);
    wall.push((performance.now() - start) / RUNS);
    cpu.push((used.user + used.system) / 1000 / RUNS);
  }
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  return { bestMs: sorted(wall)[0]!, cpuMs: sorted(cpu)[Math.floor(REPEATS / 2)]! };
}

/** Median wall time, in ns, of seeding one stream (`new Rng(seed, task, sim)`, once per simulation and per ABC particle). */
function seedingNs(): number {
  const n = 200_000;
  let sink = 0;
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    for (let sim = 0; sim < n; sim++) sink ^= new Rng(12345, r, sim).nextUint32();
    times.push(((performance.now() - start) * 1e6) / n);
  }
  if (sink === 0.5) process.stdout.write(''); // keeps the loop from being optimised away
  return times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!;
}

/**
 * Prints one line per case: ms per simulation (best wall time, and median CPU
 * time of the process, which a busy shared machine disturbs least),
 * simulations per second and the speed-up over the peer, both from CPU time.
 */
export async function run(): Promise<void> {
  process.stdout.write(
    `engine: ${RUNS} runs x ${REPEATS} repeats, one thread, Node ${process.version}\n`,
  );
  const head = [
    'case'.padEnd(20),
    'wall ms/sim (best)',
    'cpu ms/sim (median)',
    'sims/s (cpu)',
    'peer ms',
    'speed-up (cpu)',
  ];
  process.stdout.write(`${head.join('  ')}\n`);
  for (const c of CASES) {
    const { bestMs, cpuMs } = measure(c.spec);
    const line = [
      c.name.padEnd(20),
      bestMs.toFixed(3).padStart(18),
      cpuMs.toFixed(3).padStart(19),
      Math.round(1000 / cpuMs)
        .toString()
        .padStart(12),
      String(c.peerMs).padStart(7),
      `${(c.peerMs / cpuMs).toFixed(0)}x`.padStart(14),
    ];
    process.stdout.write(`${line.join('  ')}\n`);
  }
  process.stdout.write(
    `seeding a stream (new Rng(seed, task, sim) + 1 draw): ${seedingNs().toFixed(0)} ns (median)\n`,
  );
}
