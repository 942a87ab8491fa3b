import { execa } from 'execa';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { snapshotExperiment } from '../../../lib/experiment/snapshot.js';
import { LocalDriver, Storage } from '../../../lib/storage/index.js';
import { runStage } from '../../../pipeline-scripts/stage-main.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const example = join(root, 'local/forecast/experiments/examples/flu-states-sampling');

let bucket: string;
let storage: Storage;
const layout = new RunLayout('examples/flu-states-sampling', 'it-run');
const baseEnv = () => ({
  EXECUTION_MODE: 'local',
  LOCAL_BUCKET_DIR: bucket,
  EXP_ID: layout.expId,
  RUN_ID: layout.runId,
});

/** Runs a stage in-process (fast) and keeps its log lines. */
async function stage(name: string, env: Record<string, string> = {}) {
  const lines: Record<string, unknown>[] = [];
  const code = await runStage(
    [name],
    { ...baseEnv(), ...env },
    { write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) },
  );
  return { code, lines };
}

beforeAll(async () => {
  bucket = await mkdtemp(join(tmpdir(), 'epycloud-stages-'));
  storage = new Storage(new LocalDriver(bucket));
  await snapshotExperiment(example, storage, layout);
});
afterAll(async () => rm(bucket, { recursive: true, force: true }));

describe('stages on the local driver', () => {
  it('runs Stage A through the real entrypoint (tsx pipeline-scripts/main.ts A)', async () => {
    const result = await execa('npx', ['tsx', 'pipeline-scripts/main.ts', 'A'], {
      cwd: root,
      env: baseEnv(),
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    const lines = result.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({
      level: 'info',
      stage: 'builder',
      exp_id: layout.expId,
      run_id: 'it-run',
      message: 'stage completed',
    });
    expect(result.stdout).toBe('');
    expect((await storage.getJson<{ numTasks: number }>(layout.manifest)).numTasks).toBe(24);
  });

  it('runs Stage B tasks by TASK_INDEX or AWS_BATCH_JOB_ARRAY_INDEX (+ offset), idempotently', async () => {
    for (let i = 0; i < 20; i++) expect((await stage('B', { TASK_INDEX: String(i) })).code).toBe(0);
    expect(
      (await stage('runner', { AWS_BATCH_JOB_ARRAY_INDEX: '1', TASK_INDEX_OFFSET: '20' })).code,
    ).toBe(0);
    const again = await stage('runner', { TASK_INDEX: '21' });
    expect(again.lines.find((l) => l.message === 'stage completed')).toMatchObject({
      task_index: 21,
      summary: { skipped: true },
    });
    const outOfRange = await stage('B', { TASK_INDEX: '24' });
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.lines[0]!.message).toMatch(
      /Task index 24 .* out of range: the run has 24 task\(s\)/,
    );
  });

  it('retries an injected fault across processes until the attempt limit', async () => {
    const env = { TASK_INDEX: '22', EPYCLOUD_FAULT_TASKS: '22,23', EPYCLOUD_FAULT_ATTEMPTS: '1' };
    const first = await stage('B', env);
    expect(first.code).toBe(5);
    expect(first.lines.at(-1)).toMatchObject({ level: 'error', code: 'STAGE', task_index: 22 });
    expect((await stage('B', env)).code).toBe(0);
    expect(await storage.getJson(layout.faultMarker(22))).toEqual({ attempts: 2 });
  });

  it('fails Stage C naming the missing task, then aggregates partial results when allowed', async () => {
    const failed = await stage('C', { NUM_TASKS: '24' });
    expect(failed.code).toBe(5);
    expect(failed.lines[0]!.message).toMatch(
      /^2 of 24 result\(s\) missing, task index\(es\) 20, 23:/,
    );
    const partial = await stage('output', { ALLOW_PARTIAL_RESULTS: 'true' });
    expect(partial.code).toBe(0);
    for (const i of ['20', '23']) expect((await stage('B', { TASK_INDEX: i })).code).toBe(0); // no fault env: 23 runs
    const full = await stage('C', { NUM_TASKS: '24' });
    expect(full.code).toBe(0);
    const outputs = await readdir(join(bucket, layout.outputsPrefix));
    expect(outputs.length).toBeGreaterThanOrEqual(1);
    const summary = full.lines.find((l) => l.message === 'stage completed')!.summary as {
      outputDir: string;
      missing: number[];
    };
    expect(summary.missing).toEqual([]);
    const index = await storage.getJson<{ files: { name: string; rows: number }[] }>(
      `${summary.outputDir}index.json`,
    );
    // several samples per location: each selected series is a scenario figure; the report last
    const figures = ['compartments_I', 'compartments_H', 'transitions_I_to_H'].flatMap((f) => [
      `figures/scenarios_${f}.svg`,
      `figures/scenarios_${f}.png`,
    ]);
    expect(index.files.map((f) => f.name)).toEqual([
      'quantiles_compartments.csv.gz',
      'quantiles_transitions.csv.gz',
      'model_metadata.csv.gz',
      'output_config.yaml',
      ...figures,
      'report.html',
    ]);
    expect(index.files[2]!.rows).toBe(24);
    const header = (
      await storage.getText(`${summary.outputDir}quantiles_compartments.csv.gz`)
    ).split('\n')[0];
    expect(header).toBe(
      'population,sample_id,date,quantile,I_0-4,I_5-17,I_18-49,I_50-64,I_65+,I_total,H_0-4,H_5-17,H_18-49,H_50-64,H_65+,H_total',
    );
  });
});
