import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { checkHubFile } from '../../../lib/forecast/hub-check.js';
import { runBuilder } from '../../../pipeline-scripts/builder.js';
import { runOutput } from '../../../pipeline-scripts/output.js';
import { runRunner } from '../../../pipeline-scripts/runner.js';
import { forecastExperiment } from './forecast-fixture.js';
import { memoryLogger, seededRun } from './helpers.js';

const now = () => new Date('2026-01-02T03:04:05Z');

async function forecast(referenceDate?: string, files = forecastExperiment()) {
  const run = await seededRun('fc-1', files);
  const log = memoryLogger();
  const built = await runBuilder({ layout: run.layout, now, referenceDate }, run.storage, log);
  for (let i = 0; i < built.numTasks; i++)
    await runRunner({ layout: run.layout, taskIndex: i }, run.storage, log);
  const summary = await runOutput(
    { layout: run.layout, allowPartial: false, now },
    run.storage,
    log,
  );
  const read = (name: string) => run.storage.getText(`${summary.outputDir}${name}`);
  return { ...run, log, summary, read };
}

describe('a forecast through Stages A, B and C', () => {
  it('writes a hub file that passes the hub rules, with posteriors and the fit against the data', async () => {
    const { summary, read, log } = await forecast();
    const name = '2025-01-11-epycloud-SEIR.csv';
    expect(summary.files.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        name,
        'posteriors.csv.gz',
        'quantiles_calibration.csv.gz',
        'quantiles_projection_compartments.csv.gz',
      ]),
    );
    const hub = await read(name);
    expect(checkHubFile(hub, { fileName: name, strictColumnOrder: true })).toEqual([]);
    // 2 locations x (5 horizons x 23 quantiles + 4 horizons x 5 categories)
    expect(hub.trim().split('\n')).toHaveLength(1 + 2 * (5 * 23 + 4 * 5));
    const posteriors = (await read('posteriors.csv.gz')).trim().split('\n');
    expect(posteriors[0]).toBe(
      'population,sample_id,particle,weight,distance,R0,rho,amp,init.I,init.R',
    );
    expect(posteriors).toHaveLength(1 + 2 * 60);
    const fit = (await read('quantiles_calibration.csv.gz')).split('\n');
    // Massachusetts' data for the week ending 2025-01-04 is 600 admissions; the fit sees it, not later weeks
    expect(fit).toContain(fit.find((r) => r.startsWith('US-MA,2025-01-04,600,0.5,')));
    expect(fit.find((r) => r.startsWith('US-MA,2025-01-11,'))!.split(',')[2]).toBe('');
    expect(
      log.lines.some((l) => l.message === 'calibration generation' && l.fields?.generation === 2),
    ).toBe(true);
  });

  it('is deterministic for a seed: the same forecast twice gives the same hub file', async () => {
    const a = await forecast();
    const b = await forecast();
    expect(await a.read('2025-01-11-epycloud-SEIR.csv')).toBe(
      await b.read('2025-01-11-epycloud-SEIR.csv'),
    );
  });

  it('forecasts another week with a reference-date override, never fitting data after it', async () => {
    const { read, storage, layout } = await forecast('2024-12-14');
    const hub = await read('2024-12-14-epycloud-SEIR.csv');
    expect(checkHubFile(hub, { fileName: '2024-12-14-epycloud-SEIR.csv' })).toEqual([]);
    const input = await storage.getJson<{ calibration: { observed: { dates: string[] } } }>(
      layout.input(0),
    );
    expect(input.calibration.observed.dates.at(-1)).toBe('2024-12-07');
  });

  it('refuses a reference date the data cannot support, naming the file, the location and the week', async () => {
    const run = await seededRun('fc-bad', forecastExperiment());
    const error = await runBuilder(
      { layout: run.layout, now, referenceDate: '2026-01-10' },
      run.storage,
      memoryLogger(),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error.message)).toMatch(
      /data\/target-hospital-admissions\.csv has no value for US-MA .* week ending 2026-01-03/,
    );
    expect(await run.storage.exists(run.layout.input(0))).toBe(false);
    expect(await run.storage.exists(run.layout.manifest)).toBe(false);
  });
});
