import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkContract, type ContractReport } from '../../../lib/contract-check/check.js';
import { processRunner } from '../../../lib/contract-check/runners.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

// The Python example of docs/CONTRACT.md (examples/python-model), run by the contract checker as
// host processes with `python3` from PATH: it keeps every rule, and each `--break` variant is caught.
const EXAMPLE = join(PROJECT_ROOT, 'examples', 'python-model');
const STAGE = join(EXAMPLE, 'stage.py');
const EXPERIMENT = join(EXAMPLE, 'experiment');

/** The checker's report on the example, `--break variant` when given; the bucket kept under `workDir`. */
const check = (variant?: string, workDir?: string) =>
  checkContract({
    run: processRunner(
      (stage) => ['python3', STAGE, ...(variant ? ['--break', variant] : []), stage],
      process.env,
    ),
    experimentDir: EXPERIMENT,
    experiments: localExperiments,
    ...(workDir === undefined ? {} : { workDir }),
  });

const broken = (report: ContractReport) => report.outcomes.filter((o) => !o.ok).map((o) => o.rule);

describe('the Python example stage image (examples/python-model)', () => {
  let workDir = '';
  let report: ContractReport;
  const run = () => join(workDir, 'bucket', 'contract-check', 'runs', 'check-1');

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'epycloud-python-model-'));
    report = await check(undefined, workDir);
  });
  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('passes every rule of the contract checker, one task per location', () => {
    expect(broken(report)).toEqual([]);
    expect(report).toMatchObject({ ok: true, numTasks: 3 });
  });

  it("writes Stage C's quantiles: 3 locations x 40 days, 5% <= median <= 95%", async () => {
    const [stamp, ...more] = await readdir(join(run(), 'outputs'));
    expect(more).toEqual([]);
    const folder = join(run(), 'outputs', stamp!);
    expect(stamp).toMatch(/^\d{8}-\d{6}$/);
    const [header, ...rows] = (await readFile(join(folder, 'quantiles.csv'), 'utf8'))
      .trimEnd()
      .split('\n');
    expect(header).toBe('location,day,q05,median,q95');
    expect(rows).toHaveLength(3 * 40);
    const cells = rows.map((row) => row.split(','));
    expect(new Set(cells.map(([location]) => location))).toEqual(
      new Set(['north', 'south', 'island']),
    );
    for (const [, day, q05, median, q95] of cells) {
      expect(Number(day)).toBeGreaterThanOrEqual(1);
      expect(Number(day)).toBeLessThanOrEqual(40);
      expect(Number(q05)).toBeLessThanOrEqual(Number(median));
      expect(Number(median)).toBeLessThanOrEqual(Number(q95));
    }
    // the epidemic grows: somewhere a median is well above the few initially infected
    expect(Math.max(...cells.map((c) => Number(c[3])))).toBeGreaterThan(100);
    const index = JSON.parse(await readFile(join(folder, 'index.json'), 'utf8')) as unknown;
    expect(index).toMatchObject({
      version: 1,
      numTasks: 3,
      files: [{ name: 'quantiles.csv', rows: 120 }],
    });
  });

  it('takes the task index from TASK_INDEX, BATCH_TASK_INDEX, AWS_BATCH_JOB_ARRAY_INDEX (+ offset), else exits 2 saying why', () => {
    const stageB = (extra: Record<string, string>) => {
      const out = spawnSync('python3', [STAGE, 'runner'], {
        env: {
          PATH: process.env.PATH,
          EXECUTION_MODE: 'local',
          LOCAL_BUCKET_DIR: join(workDir, 'bucket'),
          EXP_ID: 'contract-check',
          RUN_ID: 'check-1',
          ...extra,
        },
        encoding: 'utf8',
      });
      const lines = out.stderr.trim().split('\n');
      const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
      return { status: out.status, last };
    };
    // a done task: BATCH_TASK_INDEX wins over the array index, the result is kept
    expect(stageB({ BATCH_TASK_INDEX: '2', AWS_BATCH_JOB_ARRAY_INDEX: '7' })).toMatchObject({
      status: 0,
      last: { message: 'stage completed', stage: 'runner', task_index: 2 },
    });
    expect(stageB({ AWS_BATCH_JOB_ARRAY_INDEX: '1', TASK_INDEX_OFFSET: '2' })).toMatchObject({
      status: 2,
      last: { level: 'error', code: 'VALIDATION', message: expect.stringContaining('0..2') },
    });
    expect(stageB({})).toMatchObject({
      status: 2,
      last: { code: 'VALIDATION', message: expect.stringContaining('BATCH_TASK_INDEX') },
    });
    expect(stageB({ TASK_INDEX: 'one' })).toMatchObject({ status: 2 });
    expect(stageB({ TASK_INDEX: '0', EXECUTION_MODE: 'laptop' })).toMatchObject({
      status: 2,
      last: { message: expect.stringContaining('local, cloud') },
    });
  });

  it.each([
    ['no-manifest', 'A: manifest'],
    ['index-out-of-range', 'exit codes'],
    ['non-atomic', 'atomic writes'],
  ])('is rejected with --break %s, naming the rule "%s"', async (variant, rule) => {
    const broke = await check(variant);
    expect(broke.ok).toBe(false);
    expect(broken(broke)).toContain(rule);
  });
});
