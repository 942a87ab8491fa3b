/**
 * CLI start-up: the median wall time of `node cli/epycloud.mjs --help` over
 * RUNS runs, compiled (dist/cli, built first) and through tsx, against
 * `node -e 0`; and of `validate --help`, which must load no AWS SDK either.
 * Target: the compiled `--help` at most 3x `node -e 0`. The runs of the
 * cases take turns, so a change in the machine's load touches all of them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = 'cli/epycloud.mjs';
const RUNS = 10;
const TARGET = 3;

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Wall time of one run in ms; throws when the command fails. */
function timeRun(c: Case): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, c.args, {
    cwd: ROOT,
    env: { ...process.env, ...c.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`${c.name}: exit ${result.status}: ${result.stderr.toString().trim()}`);
  return ms;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Whether this CLI has a `validate` command (its help exits 0). */
const hasValidate = (): boolean =>
  spawnSync(process.execPath, [ENTRY, 'validate', '--help'], { cwd: ROOT, stdio: 'ignore' })
    .status === 0;

/** Builds dist/cli, then prints the median of each case and its ratio to `node -e 0`. */
export async function run(): Promise<void> {
  execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), 'scripts/build-cli.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const compiled = { EPYCLOUD_CLI: 'compiled' };
  const cases: Case[] = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'epycloud --help (compiled)', args: [ENTRY, '--help'], env: compiled },
    { name: 'epycloud --help (tsx)', args: [ENTRY, '--help'], env: { EPYCLOUD_CLI: 'source' } },
    ...(hasValidate()
      ? [
          {
            name: 'epycloud validate --help (compiled)',
            args: [ENTRY, 'validate', '--help'],
            env: compiled,
          },
        ]
      : []),
  ];
  const times = cases.map((): number[] => []);
  for (let i = 0; i < RUNS; i++) cases.forEach((c, j) => times[j]!.push(timeRun(c)));
  const base = median(times[0]!);
  process.stdout.write(
    `cli: median of ${RUNS} runs (target: compiled --help <= ${TARGET}x node -e 0)\n`,
  );
  for (const [j, c] of cases.entries()) {
    const ms = median(times[j]!);
    process.stdout.write(
      `  ${c.name.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / base).toFixed(1).padStart(5)}x\n`,
    );
  }
}
