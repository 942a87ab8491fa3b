import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { LOCATIONS } from '../../../lib/experiment/locations.js';
import type { TaskInput } from '../../../lib/experiment/task.js';
import { checkHubFile } from '../../../lib/forecast/hub-check.js';
import { parseTargetData } from '../../../lib/forecast/target-data.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { freshBundle, loadRehearsalStack } from '../../../lib/rehearsal/index.js';
import { rehearse } from '../../../lib/rehearsal/rehearse.js';
import { rehearsalWorkflowResult } from '../../../lib/rehearsal/result.js';
import { startS3Server, type S3Server } from '../../../lib/rehearsal/s3-server.js';
import type { RehearsalStack } from '../../../lib/rehearsal/stack-reader.js';
import { createS3Client, S3Driver, Storage } from '../../../lib/storage/index.js';
import { downloadReport, findReport } from '../../../lib/run/report-file.js';
import { expectReportOpensOffline, figureNames } from '../../support/report-check.js';
import { countingLauncher, ROOT } from './support.js';

const EXAMPLE = join(ROOT, 'local/forecast/experiments/examples/flusight-forecast');
const DATA = 'data/target-hospital-admissions.csv';
const REFERENCE_DATE = '2025-01-11';
/** The last week Stage A fits: the one ending a week before the reference date. */
const LAST_FITTED_WEEK = '2025-01-04';
const HUB_FILE = `${REFERENCE_DATE}-epycloud-SEIR.csv`;

/**
 * The shipped forecast example over all 53 FluSight locations with a small
 * ABC-SMC budget (30 particles, 2 generations, 50 projection samples).
 */
async function allLocationsForecast(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'epycloud-forecast-53-'));
  await mkdir(join(dir, 'config'));
  await mkdir(join(dir, 'data'));
  const modelset = (await readFile(join(EXAMPLE, 'config/modelset.yaml'), 'utf8'))
    .replace(/population_names: .*/, 'population_names: all')
    .replace(/reference_date: \S+/, `reference_date: ${REFERENCE_DATE}`)
    .replace(/particles: \d+/, 'particles: 30')
    .replace(/generations: \d+/, 'generations: 2')
    .replace(/samples: \d+/, 'samples: 50');
  await writeFile(join(dir, 'config/modelset.yaml'), modelset);
  for (const file of ['config/model.yaml', 'config/output.yaml', DATA])
    await writeFile(join(dir, file), await readFile(join(EXAMPLE, file)));
  return dir;
}

let stack: RehearsalStack;
let bundle: string;
let server: S3Server;
let storage: Storage;
let experimentDir: string;

beforeAll(async () => {
  bundle = await freshBundle(ROOT);
  stack = await loadRehearsalStack(ROOT);
  server = await startS3Server([stack.bucketName]);
  storage = new Storage(new S3Driver(createS3Client(server.env), stack.bucketName));
  experimentDir = await allLocationsForecast();
});

afterAll(async () => {
  await server?.stop();
});

describe('rehearsal of a forecast over the 53 FluSight locations', () => {
  it("the example's data has every location for the last fitted week", async () => {
    const { series, problems } = parseTargetData(
      DATA,
      await readFile(join(experimentDir, DATA), 'utf8'),
    );
    expect(problems).toEqual([]);
    const missing = LOCATIONS.filter(
      (l) => !series.get(l.fips)?.some((p) => p.date === LAST_FITTED_WEEK),
    );
    expect(missing.map((l) => l.code)).toEqual([]);
    expect(LOCATIONS).toHaveLength(53);
  });

  it('calibrates and projects 53 tasks in one Stage B array job and writes a valid hub file', async () => {
    const launcher = countingLauncher(server, bundle);
    const result = await rehearse(
      { expId: 'forecast-53', runId: 'fc53', experimentDir },
      {
        stack,
        s3Env: server.env,
        launcher,
        experiments: localExperiments,
        concurrency: availableParallelism(),
      },
    );
    if (result.status !== 'succeeded')
      process.stderr.write(`${rehearsalWorkflowResult(result).failure}\n`);
    expect(result.cause).toBeUndefined();
    expect(result).toMatchObject({ status: 'succeeded', numTasks: 53, stateTransitions: 8 });
    expect(result.statesEntered).toContain('StageBArray');
    expect(result.jobs.map((j) => [j.stage, j.arraySize, j.status])).toEqual([
      ['builder', undefined, 'SUCCEEDED'],
      ['runner', 53, 'SUCCEEDED'],
      ['output', undefined, 'SUCCEEDED'],
    ]);
    expect(launcher.launches).toBe(55);

    const layout = new RunLayout('forecast-53', result.runId);
    expect(await storage.list(layout.resultsPrefix)).toHaveLength(53);
    // Every task fits its own location's data up to the last week before the reference date.
    const inputs = await Promise.all(
      LOCATIONS.map((_, i) => storage.getJson<TaskInput>(layout.input(i))),
    );
    const lastFitted = new Map(
      inputs.map((input) => [input.population.code, input.calibration?.observed.dates.at(-1)]),
    );
    expect(lastFitted).toEqual(new Map(LOCATIONS.map((l) => [l.code, LAST_FITTED_WEEK])));
    expect(
      inputs
        .find((input) => input.population.code === 'US-PR')
        ?.calibration?.observed.values.at(-1),
    ).toBe(1010);

    const hubKey = (await storage.list(layout.outputsPrefix)).find((k) =>
      k.endsWith(`/${HUB_FILE}`),
    );
    expect(hubKey).toBeDefined();
    const hub = await storage.getText(hubKey!);
    expect(checkHubFile(hub, { fileName: HUB_FILE, strictColumnOrder: true })).toEqual([]);
    const [header, ...rows] = hub.trim().split('\n');
    const locationColumn = header!.split(',').indexOf('location');
    const locations = new Set(rows.map((r) => r.split(',')[locationColumn]));
    expect([...locations].sort()).toEqual(LOCATIONS.map((l) => l.fips).sort());
    // 53 locations x (5 horizons x 23 quantiles + 4 horizons x 5 rate-change categories)
    expect(rows).toHaveLength(53 * (5 * 23 + 4 * 5));
  });

  it("finds the cloud run's report in the bucket, downloads it, and it opens offline with every figure", async () => {
    const found = await findReport(storage, { expId: 'forecast-53' });
    expect(found.runId).toBe('fc53');
    const path = await downloadReport(storage, found, await mkdtemp(join(tmpdir(), 'epy-report-')));
    const index = await storage.getJson<{ files: { name: string }[] }>(
      new RunLayout('forecast-53', 'fc53').outputDir(found.stamp) + 'index.json',
    );
    const figures = figureNames(index.files);
    expect(figures).toEqual(
      expect.arrayContaining(['fan_calibration', 'hub_forecast', 'calibration_generations']),
    );
    await expectReportOpensOffline(path, figures, 'report-forecast-53-locations');
    const html = await readFile(path, 'utf8');
    for (const location of ['Massachusetts', 'Puerto Rico', 'Wyoming'])
      expect(html).toContain(location);
  });
});
