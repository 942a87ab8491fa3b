/**
 * Engine speed: simulations per second of the reference SIR and SEIR cases
 * (population 1e6, 200 days, dt = 1, 100 runs) and of a 5-age-group SEIR, on
 * one core, against the peer engine's figures (shared/reference/README.md).
 */
import { runEnsemble } from '../lib/engine/ensemble.js';
import type { ModelSpec } from '../lib/engine/model.js';
import { ageSeirSpec, seirSpec, sirSpec } from '../test/unit/engine/models.js';

interface Case {
  readonly name: string;
  readonly spec: ModelSpec;
  /** Peer milliseconds per simulation (the 5-age figure is a range; we compare against its low end). */
  readonly peerMs: number;
}

const CASES: readonly Case[] = [
  { name: 'SIR (1e6, 200 d)', spec: sirSpec(), peerMs: 10 },
  { name: 'SEIR (1e6, 200 d)', spec: seirSpec(), peerMs: 14 },
  { name: 'SEIR 5 age groups', spec: ageSeirSpec(), peerMs: 20 },
];

const RUNS = 100;
const REPEATS = 7;

/** Fastest and median wall time of `REPEATS` ensembles of `RUNS` simulations, in ms per simulation. */
function measure(spec: ModelSpec): { best: number; median: number } {
  runEnsemble(spec, { nSims: RUNS, resample: 'daily', seedKeys: [1] }); // warm-up (JIT)
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    runEnsemble(spec, { nSims: RUNS, resample: 'daily', seedKeys: [12345, r] });
    times.push((performance.now() - start) / RUNS);
  }
  times.sort((a, b) => a - b);
  return { best: times[0]!, median: times[Math.floor(REPEATS / 2)]! };
}

/** Prints one line per case: ms per simulation, simulations per second, speed-up over the peer. */
export async function run(): Promise<void> {
  process.stdout.write(
    `engine: ${RUNS} runs x ${REPEATS} repeats, one thread, Node ${process.version} (best = least disturbed by other load)\n`,
  );
  const head = ['case'.padEnd(20), 'ms/sim best', 'median', 'sims/s best', 'peer ms', 'speed-up best', 'median'];
  process.stdout.write(`${head.join('  ')}\n`);
  for (const c of CASES) {
    const { best, median } = measure(c.spec);
    const line = [
      c.name.padEnd(20),
      best.toFixed(3).padStart(11),
      median.toFixed(3).padStart(6),
      Math.round(1000 / best)
        .toString()
        .padStart(11),
      String(c.peerMs).padStart(7),
      `${(c.peerMs / best).toFixed(0)}x`.padStart(13),
      `${(c.peerMs / median).toFixed(0)}x`.padStart(6),
    ];
    process.stdout.write(`${line.join('  ')}\n`);
  }
}
