/**
 * Forecast quality, measured (not a test): runs the forecast example for its
 * reference date 2025-01-11 and for 2024-12-14, then scores each hub file with
 * the weighted interval score (WIS) against the truth in the target data and
 * against the FluSight baseline built from the data up to reference_date - 7.
 * Target: relative WIS (model / baseline, summed over locations and horizons
 * 0..3) <= 1.0.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hubRowsFromCsv } from '../lib/forecast/hub-file.js';
import { scoreForecast, type ForecastScore } from '../lib/forecast/score.js';
import { parseTargetData } from '../lib/forecast/target-data.js';
import { exampleDir, scratchExample } from './example-run.js';

const REFERENCE_DATES = ['2025-01-11', '2024-12-14'];

function print(score: ForecastScore): void {
  const byLocation = new Map<string, { model: number; baseline: number }>();
  for (const cell of score.cells) {
    const sum = byLocation.get(cell.location) ?? { model: 0, baseline: 0 };
    byLocation.set(cell.location, {
      model: sum.model + cell.modelWis,
      baseline: sum.baseline + cell.baselineWis,
    });
  }
  const cells = [...byLocation]
    .map(([loc, s]) => `${loc} ${(s.model / s.baseline).toFixed(2)}`)
    .join(', ');
  const byHorizon = [0, 1, 2, 3].map((h) => {
    const c = score.cells.filter((x) => x.horizon === h);
    return `h${h} ${(c.reduce((a, x) => a + x.modelWis, 0) / c.reduce((a, x) => a + x.baselineWis, 0)).toFixed(2)}`;
  });
  console.log(
    `reference date ${score.referenceDate}: relative WIS ${score.relativeWis?.toFixed(3)} (model ${score.modelWisSum.toFixed(0)} / baseline ${score.baselineWisSum.toFixed(0)}, ` +
      `${score.cells.length} cells; target <= 1.0); by horizon ${byHorizon.join(', ')}; by location ${cells}`,
  );
  if (score.skipped.length > 0) console.log(`  skipped: ${score.skipped.join('; ')}`);
}

/** Runs and scores the example for each reference date. */
export async function run(): Promise<void> {
  const truthFile = join(exampleDir('flusight-forecast'), 'data', 'target-hospital-admissions.csv');
  const truth = parseTargetData(truthFile, await readFile(truthFile, 'utf8')).series;
  const scratch = await scratchExample('flusight-forecast');
  try {
    for (const referenceDate of REFERENCE_DATES) {
      const result = await scratch.run({ referenceDate });
      const hubName = (await readdir(result.outputs!)).find((f) =>
        f.startsWith(`${referenceDate}-`),
      )!;
      const rows = hubRowsFromCsv(await readFile(join(result.outputs!, hubName), 'utf8'));
      print(scoreForecast({ hubRows: rows, truth }));
    }
  } finally {
    await scratch.dispose();
  }
}
