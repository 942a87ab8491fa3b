import { describe, expect, it } from 'vitest';
import { manifestSchema } from '../../../lib/contract/manifest.js';
import { ConfigError, StageError, ValidationError } from '../../../lib/errors.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { readManifestEntries, readManifestEntry } from '../../../lib/run/manifest.js';
import { writeResult } from '../../../lib/run/result-check.js';
import { sha256 } from '../../../pipeline-scripts/artifacts.js';
import { runBuilder } from '../../../pipeline-scripts/builder.js';
import { runOutput } from '../../../pipeline-scripts/output.js';
import { encodeResult } from '../../../pipeline-scripts/result-arrow.js';
import { runRunner } from '../../../pipeline-scripts/runner.js';
import { EXPERIMENT, memoryLogger, putTaskResult, readTaskResult, seededRun } from './helpers.js';

const now = () => new Date('2026-01-02T03:04:05Z');

async function buildAndRun(runId = 'run-1') {
  const run = await seededRun(runId);
  const log = memoryLogger();
  await runBuilder({ layout: run.layout, now }, run.storage, log);
  for (let i = 0; i < 3; i++)
    await runRunner({ layout: run.layout, taskIndex: i }, run.storage, log);
  return { ...run, log };
}

describe('Stage A (builder)', () => {
  it('writes N inputs, then the manifest parts, then its head last, with the sha256 of each input', async () => {
    const { driver, storage, layout } = await seededRun();
    const summary = await runBuilder({ layout, now }, storage, memoryLogger());
    expect(summary).toMatchObject({ stage: 'builder', numTasks: 3, reused: false });
    expect(driver.puts).toEqual([
      layout.input(0),
      layout.input(1),
      layout.input(2),
      layout.manifestPart(0),
      layout.manifest,
      layout.summary('builder'),
    ]);
    const manifest = manifestSchema.parse(await storage.getJson(layout.manifest));
    expect(manifest).toMatchObject({
      version: 2,
      expId: 'tests/tiny',
      runId: 'run-1',
      numTasks: 3,
      createdAt: '2026-01-02T03:04:05.000Z',
    });
    for (const entry of await readManifestEntries(storage, layout, manifest))
      expect(entry.sha256).toBe(sha256(await storage.getText(entry.key)));
  });

  it('is a no-op on an identical rebuild and refuses a different one', async () => {
    const { storage, layout, driver } = await seededRun();
    await runBuilder({ layout, now }, storage, memoryLogger());
    driver.puts.length = 0;
    expect((await runBuilder({ layout, now }, storage, memoryLogger())).reused).toBe(true);
    expect(driver.puts).toEqual([layout.summary('builder')]);
    await writeSnapshot(
      storage,
      layout,
      new Map(
        Object.entries({
          ...EXPERIMENT,
          'config/modelset.yaml': 'modelset:\n  population_names: [US-MA]\n',
        }),
      ),
    );
    await expect(runBuilder({ layout, now }, storage, memoryLogger())).rejects.toThrow(
      /already has a manifest with different inputs .* start a new run id/,
    );
  });

  it('writes nothing for an invalid experiment or a missing snapshot', async () => {
    const bad = await seededRun('run-1', {
      ...EXPERIMENT,
      'config/model.yaml': EXPERIMENT['config/model.yaml']!.replace('n_sims: 4', 'n_sims: 0'),
    });
    const error = await runBuilder({ layout: bad.layout }, bad.storage, memoryLogger()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'config/model.yaml: model.simulation.n_sims (line 5): Too small: expected number to be >=1',
    ]);
    expect(bad.driver.puts).toEqual([]);
    const empty = await seededRun('run-2', {});
    await expect(
      runBuilder({ layout: empty.layout }, empty.storage, memoryLogger()),
    ).rejects.toThrow(/No experiment snapshot under tests\/tiny\/runs\/run-2\/experiment\//);
  });
});

describe('Stage B (runner)', () => {
  it('refuses to run before Stage A completed', async () => {
    const { storage, layout } = await seededRun();
    await expect(runRunner({ layout, taskIndex: 0 }, storage, memoryLogger())).rejects.toThrow(
      /Stage A \(builder\) has not completed/,
    );
  });

  it('writes a result carrying its input hash, and skips when it already exists', async () => {
    const { storage, layout, driver } = await buildAndRun();
    const manifest = manifestSchema.parse(await storage.getJson(layout.manifest));
    const result = await readTaskResult(storage, layout, 1);
    expect(result.inputSha256).toBe((await readManifestEntry(storage, layout, manifest, 1)).sha256);
    expect(result.population.code).toBe('US-VT');
    expect(result.dates).toEqual(['2024-01-06', '2024-01-13', '2024-01-20']);
    expect(result.compartments.I).toHaveLength(4 * 3);
    driver.puts.length = 0;
    const summary = await runRunner({ layout, taskIndex: 1 }, storage, memoryLogger());
    expect(summary.skipped).toBe(true);
    expect(driver.puts).toEqual([layout.summary('runner', 1)]);
    // a result from another input is recomputed
    await putTaskResult(storage, layout, 1, { ...result, inputSha256: '0'.repeat(64) });
    expect((await runRunner({ layout, taskIndex: 1 }, storage, memoryLogger())).skipped).toBe(
      false,
    );
    expect(await readTaskResult(storage, layout, 1)).toEqual(result);
    // so is an unreadable one
    await storage.driver.put(
      layout.result(1),
      new TextEncoder().encode('not arrow'),
      'application/vnd.apache.arrow.file',
    );
    expect((await runRunner({ layout, taskIndex: 1 }, storage, memoryLogger())).skipped).toBe(
      false,
    );
    expect(await readTaskResult(storage, layout, 1)).toEqual(result);
    // and one edited into a different valid result that still carries its input's hash
    await putTaskResult(storage, layout, 1, { ...result, nSims: 3 });
    expect((await runRunner({ layout, taskIndex: 1 }, storage, memoryLogger())).skipped).toBe(
      false,
    );
    expect(await readTaskResult(storage, layout, 1)).toEqual(result);
  });

  it("records the checksum of the result's bytes in its summary, after the result", async () => {
    const { storage, layout, driver } = await seededRun();
    await runBuilder({ layout, now }, storage, memoryLogger());
    driver.puts.length = 0;
    const summary = await runRunner({ layout, taskIndex: 2 }, storage, memoryLogger());
    expect(driver.puts).toEqual([layout.result(2), layout.summary('runner', 2)]);
    const bytes = await storage.get(layout.result(2));
    const manifest = manifestSchema.parse(await storage.getJson(layout.manifest));
    const checksum = {
      key: layout.result(2),
      inputSha256: (await readManifestEntry(storage, layout, manifest, 2)).sha256,
      sha256: sha256(bytes),
      bytes: bytes.length,
    };
    expect(summary.result).toEqual(checksum);
    expect(await storage.getJson(layout.summary('runner', 2))).toMatchObject({ result: checksum });
    // a result whose checksum was never recorded (killed between the two writes) is recomputed
    await storage.delete(layout.summary('runner', 2));
    expect((await runRunner({ layout, taskIndex: 2 }, storage, memoryLogger())).skipped).toBe(
      false,
    );
  });

  it('draws the same numbers whatever order tasks run in', async () => {
    const a = await buildAndRun('run-a');
    const b = await seededRun('run-b');
    await runBuilder({ layout: b.layout }, b.storage, memoryLogger());
    for (const i of [2, 0, 1])
      await runRunner({ layout: b.layout, taskIndex: i }, b.storage, memoryLogger());
    for (let i = 0; i < 3; i++) {
      const ra = await readTaskResult(a.storage, a.layout, i);
      const rb = await readTaskResult(b.storage, b.layout, i);
      expect(rb.compartments).toEqual(ra.compartments);
    }
  });

  it('fails injected tasks until the configured attempt, counting attempts under logs/', async () => {
    const { storage, layout } = await seededRun();
    await runBuilder({ layout }, storage, memoryLogger());
    const config = { layout, taskIndex: 1, faultInjection: { tasks: new Set([1]), attempts: 2 } };
    await expect(runRunner(config, storage, memoryLogger())).rejects.toThrow(StageError);
    await expect(runRunner(config, storage, memoryLogger())).rejects.toThrow(
      'Injected fault: task 1 fails attempt 2 (failing attempts: 2)',
    );
    expect(await storage.exists(layout.result(1))).toBe(false);
    expect((await runRunner(config, storage, memoryLogger())).skipped).toBe(false);
    expect(await storage.getJson(layout.faultMarker(1))).toEqual({ attempts: 3 });
    expect(layout.faultMarker(1)).toBe(
      'tests/tiny/runs/run-1/logs/fault-injection/task_00001.json',
    );
    // other tasks are untouched
    expect((await runRunner({ ...config, taskIndex: 0 }, storage, memoryLogger())).skipped).toBe(
      false,
    );
  });
});

describe('Stage C (output)', () => {
  it('never overwrites an earlier output folder written in the same second', async () => {
    const { storage, layout } = await buildAndRun();
    const first = await runOutput({ layout, allowPartial: false, now }, storage, memoryLogger());
    const before = await storage.getText(`${first.outputDir}index.json`);
    const second = await runOutput({ layout, allowPartial: false, now }, storage, memoryLogger());
    expect(first.outputDir).toBe(layout.outputDir('20260102-030405'));
    expect(second.outputDir).toBe(layout.outputDir('20260102-030406'));
    expect(await storage.getText(`${first.outputDir}index.json`)).toBe(before);
  });

  it('writes the tables, the output config, and index.json last', async () => {
    const { storage, layout, driver } = await buildAndRun();
    driver.puts.length = 0;
    const summary = await runOutput({ layout, allowPartial: false, now }, storage, memoryLogger());
    const dir = layout.outputDir('20260102-030405');
    expect(summary.outputDir).toBe(dir);
    const names = [
      'quantiles_compartments.csv.gz',
      'trajectories_compartments.csv.gz',
      'quantiles_transitions.csv.gz',
      'model_metadata.csv.gz',
      'output_config.yaml',
    ];
    // one fan per series the output config selects, then the report, then index.json
    const figures = ['compartments_S', 'compartments_I', 'compartments_R', 'transitions_S_to_I']
      .concat('transitions_I_to_R')
      .flatMap((f) => [`figures/fan_${f}.svg`, `figures/fan_${f}.png`]);
    expect(driver.puts).toEqual([
      ...names.map((n) => `${dir}${n}`),
      ...figures.map((n) => `${dir}${n}`),
      `${dir}report.html`,
      `${dir}index.json`,
      layout.summary('output'),
    ]);
    const quantiles = (await storage.getText(`${dir}quantiles_compartments.csv.gz`))
      .trim()
      .split('\n');
    expect(quantiles[0]).toBe(
      'population,sample_id,date,quantile,S_0,S_total,I_0,I_total,R_0,R_total',
    );
    expect(quantiles).toHaveLength(1 + 3 * 3 * 3); // tasks x levels x weeks
    expect(quantiles[1]).toMatch(/^US-MA,0,2024-01-06,0.1,/);
    const trajectories = (await storage.getText(`${dir}trajectories_compartments.csv.gz`))
      .trim()
      .split('\n');
    expect(trajectories[0]).toBe('population,sample_id,sim,date,I_0,I_total');
    expect(trajectories).toHaveLength(1 + 3 * 4 * 3);
    const metadata = (await storage.getText(`${dir}model_metadata.csv.gz`)).trim().split('\n');
    expect(metadata[0]).toBe(
      'task_index,population,population_name,population_size,sample_id,model_name,n_sims,start_date,end_date,delta_t,resample,random_seed',
    );
    expect(metadata[2]).toBe(
      '1,US-VT,Vermont,648493,0,tiny-sir,4,2024-01-01,2024-01-20,1,weekly,42',
    );
    expect(await storage.getText(`${dir}output_config.yaml`)).toBe(
      EXPERIMENT['config/output.yaml'],
    );
    expect(await storage.getJson(`${dir}index.json`)).toMatchObject({
      numTasks: 3,
      resultsUsed: 3,
      missing: [],
      partial: false,
    });
  });

  it('writes the same bytes as the Stage C that held whole JSON results and tables in memory', async () => {
    const { storage, layout } = await buildAndRun();
    const summary = await runOutput({ layout, allowPartial: false, now }, storage, memoryLogger());
    const hashes: Record<string, string> = {};
    // the tables and the output config (figures and the report are new files, tested on their own)
    for (const { name } of summary.files.filter((f) => /\.(csv\.gz|yaml)$/.test(f.name)))
      hashes[name] = sha256(await storage.get(`${summary.outputDir}${name}`));
    // sha256 of each file's (gunzipped) bytes, as written before results were Arrow and tables streamed
    expect(hashes).toEqual({
      'quantiles_compartments.csv.gz':
        '6b883746ef518ed47f49e89e76038a64a59889dc6312aae276a323bbdd8ebe40',
      'trajectories_compartments.csv.gz':
        'd7e2fb109a1a0f27287917a080e20294e94394f6d100f0ea71ee722d9ceec925',
      'quantiles_transitions.csv.gz':
        'bce858f089edbfb3389245909d77018ceea5e49070234f69d98ba94d075d755e',
      'model_metadata.csv.gz': 'e8e0e16bbc03a9639e41b1466fbeb3733c30f9139f48e8ec254c63ff6434e1d2',
      'output_config.yaml': 'e94cac6f2f4fb5e61e0dda2a618766aaa2dd5386fc127cf9d987f027622a02cf',
    });
  });

  it('computes type-7 quantiles across simulations', async () => {
    const { storage, layout } = await buildAndRun();
    const summary = await runOutput({ layout, allowPartial: false, now }, storage, memoryLogger());
    const result = await readTaskResult(storage, layout, 0);
    const week2 = [0, 1, 2, 3].map((s) => result.compartments.I![s * 3 + 1]!).sort((x, y) => x - y);
    const median = (week2[1]! + week2[2]!) / 2;
    const rows = (await storage.getText(`${summary.outputDir}quantiles_compartments.csv.gz`)).split(
      '\n',
    );
    expect(rows.find((r) => r.startsWith('US-MA,0,2024-01-13,0.5,'))!.split(',')[6]).toBe(
      String(median),
    );
  });

  it('names missing result indexes, unless partial results are allowed', async () => {
    const { storage, layout } = await buildAndRun();
    await storage.delete(layout.result(1));
    await storage.delete(layout.result(2));
    await expect(
      runOutput({ layout, allowPartial: false }, storage, memoryLogger()),
    ).rejects.toThrow(
      '2 of 3 result(s) missing, task index(es) 1-2: re-run those tasks, or set ALLOW_PARTIAL_RESULTS=true to aggregate the rest',
    );
    expect(await storage.list(layout.outputsPrefix)).toEqual([]);
    const summary = await runOutput({ layout, allowPartial: true, now }, storage, memoryLogger());
    expect(summary).toMatchObject({ resultsUsed: 1, missing: [1, 2] });
    expect(await storage.getJson(`${summary.outputDir}index.json`)).toMatchObject({
      partial: true,
      missing: [1, 2],
    });
  });

  it('rejects a NUM_TASKS that disagrees with the manifest and stale results', async () => {
    const { storage, layout } = await buildAndRun();
    const error = await runOutput(
      { layout, allowPartial: false, numTasks: 4 },
      storage,
      memoryLogger(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /NUM_TASKS=4 does not match the manifest's numTasks=3/,
    );
    // a result Stage B computed (and recorded) from another input
    const result = await readTaskResult(storage, layout, 2);
    const stale = { ...result, inputSha256: 'f'.repeat(64) };
    const checksum = await writeResult(storage, layout, 2, stale.inputSha256, encodeResult(stale));
    await storage.putJson(layout.summary('runner', 2), { result: checksum });
    await expect(
      runOutput({ layout, allowPartial: false, numTasks: 3 }, storage, memoryLogger()),
    ).rejects.toThrow(
      /Task 2's result is refused: .*result_00002.arrow was computed from a different input .* --task-index 2/,
    );
  });

  it('refuses a result edited into a different valid result, naming the task and how to recompute it', async () => {
    const { storage, layout } = await buildAndRun();
    const result = await readTaskResult(storage, layout, 1);
    await putTaskResult(storage, layout, 1, {
      ...result,
      compartments: { ...result.compartments, I: result.compartments.I!.map((v) => v + 1) },
    });
    const error = await runOutput(
      { layout, allowPartial: false, now },
      storage,
      memoryLogger(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StageError);
    expect((error as Error).message).toMatch(
      /^Task 1's result is refused: \S+result_00001\.arrow does not match the sha256 Stage B recorded in \S+runner_00001\.json/,
    );
    expect((error as Error).message).toContain(
      `epycloud run workflow --local --exp-id tests/tiny --resume ${layout.runId}`,
    );
    expect(await storage.list(layout.outputsPrefix)).toEqual([]);
  });

  it('refuses a result without the checksum Stage B records after it', async () => {
    const { storage, layout } = await buildAndRun();
    await storage.delete(layout.summary('runner', 0));
    await expect(
      runOutput({ layout, allowPartial: false, now }, storage, memoryLogger()),
    ).rejects.toThrow(
      /Task 0's result is refused: .* records no checksum of .*result_00000\.arrow \(Stage B did not finish it\)/,
    );
  });
});
