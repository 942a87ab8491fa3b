/**
 * `npm run bench [name ...]`: runs every registered benchmark in order, or
 * only those named. Each module exports `run(): Promise<void>` and prints its
 * figures to stdout. Register a new bench with one line in BENCHES.
 */
const BENCHES: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  engine: () => import('./engine.js'),
  local: () => import('./local.js'),
  cloud: () => import('./cloud.js'),
  calibration: () => import('./calibration.js'),
  forecast: () => import('./forecast.js'),
  results: () => import('./results.js'),
  manifest: () => import('./manifest.js'),
  figures: () => import('./figures.js'),
  cli: () => import('./cli.js'),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown bench(es): ${unknown.join(', ')}; expected some of ${Object.keys(BENCHES).join(', ')}\n`,
  );
  process.exitCode = 2;
} else {
  for (const [name, load] of Object.entries(BENCHES)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    process.stderr.write(`# bench ${name}\n`);
    await (await load()).run();
  }
}
