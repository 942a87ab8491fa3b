import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkContract } from '../../../lib/contract-check/check.js';
import { processRunner } from '../../../lib/contract-check/runners.js';
import { bundleStage } from '../../../lib/host/bundle.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

const FIXTURE = join(PROJECT_ROOT, 'test', 'fixtures', 'contract', 'stage.mjs');
let foreignExperiment = '';

beforeAll(async () => {
  foreignExperiment = await mkdtemp(join(tmpdir(), 'epycloud-foreign-'));
  await mkdir(join(foreignExperiment, 'config'));
  await writeFile(join(foreignExperiment, 'config', 'model.txt'), 'any format the image reads\n');
});

/** The checker's report on the fixture implementation's `variant`. */
const check = (variant: string) =>
  checkContract({
    run: processRunner((stage) => ['node', FIXTURE, variant, stage], process.env),
    experimentDir: foreignExperiment,
    experiments: localExperiments,
  });

const broken = (report: Awaited<ReturnType<typeof check>>) =>
  report.outcomes.filter((o) => !o.ok).map((o) => o.rule);

describe('epycloud contract check', () => {
  it('passes a stage implementation that keeps every rule, written without epycloud', async () => {
    const report = await check('good');
    expect(broken(report)).toEqual([]);
    expect(report).toMatchObject({ ok: true, numTasks: 2 });
  });

  it('passes the built-in engine (the stage bundle) on the SEIR example', async () => {
    const bundle = await bundleStage(PROJECT_ROOT);
    const report = await checkContract({
      run: processRunner((stage) => ['node', bundle, stage], process.env),
      experimentDir: join(PROJECT_ROOT, 'local', 'forecast', 'experiments', 'examples', 'seir-ma'),
      experiments: localExperiments,
    });
    expect(broken(report)).toEqual([]);
    expect(report.numTasks).toBe(1);
  });

  it.each([
    ['no-manifest', 'A: manifest'],
    ['index-out-of-range', 'exit codes'],
    ['non-atomic', 'atomic writes'],
    ['exit-zero', 'exit codes'],
    ['rebuild-changes', 'A: idempotent'],
    ['no-offset', 'B: task index'],
    ['silent-task-0', 'exit codes'],
  ])('rejects the %s variant, naming the rule', async (variant, rule) => {
    const report = await check(variant);
    expect(report.ok).toBe(false);
    expect(broken(report)).toContain(rule);
  });
});
