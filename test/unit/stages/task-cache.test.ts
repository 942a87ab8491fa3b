import { describe, expect, it } from 'vitest';
import { RunLayout, taskCacheKey } from '../../../lib/contract/layout.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { readManifestEntries } from '../../../lib/run/manifest.js';
import { checkResult } from '../../../lib/run/result-check.js';
import { readCacheReport, taskCacheHash } from '../../../lib/run/task-cache.js';
import { Storage } from '../../../lib/storage/index.js';
import { runBuilder } from '../../../pipeline-scripts/builder.js';
import { runOutput } from '../../../pipeline-scripts/output.js';
import { runRunner } from '../../../pipeline-scripts/runner.js';
import { EXPERIMENT, memoryLogger, readTaskResult, RecordingDriver } from './helpers.js';

const now = () => new Date('2026-01-02T03:04:05Z');
const CODE = 'a'.repeat(64);
const cache = { enabled: true, codeSha256: CODE };

/** One bucket shared by every run of a test, as a real bucket is. */
function bucket() {
  const driver = new RecordingDriver();
  return { driver, storage: new Storage(driver) };
}

/** Snapshot, Stage A, then Stage B for every task that has no result yet; returns the tasks Stage B computed. */
async function run(
  storage: Storage,
  runId: string,
  options: { files?: Record<string, string>; cache?: typeof cache | undefined } = {},
) {
  const layout = new RunLayout('tests/tiny', runId);
  await writeSnapshot(storage, layout, new Map(Object.entries(options.files ?? EXPERIMENT)));
  const config = { cache: 'cache' in options ? options.cache : cache };
  const log = memoryLogger();
  const built = await runBuilder({ layout, now, ...config }, storage, log);
  const manifest = { numTasks: built.numTasks };
  const entries = await readManifestEntries(
    storage,
    layout,
    await storage.getJson(layout.manifest),
  );
  const computed: number[] = [];
  for (const entry of entries) {
    if ((await checkResult(storage, layout, entry.index, entry.sha256)).ok) continue;
    const summary = await runRunner(
      { layout, taskIndex: entry.index, now, ...config },
      storage,
      log,
    );
    if (!summary.skipped) computed.push(entry.index);
  }
  await runOutput({ layout, numTasks: manifest.numTasks, allowPartial: false, now }, storage, log);
  return { layout, built, computed, log };
}

/** The tiny experiment over other locations and, optionally, a grid of beta values. */
const variant = (populations: string, betas?: string): Record<string, string> => ({
  ...EXPERIMENT,
  ...(betas
    ? {
        'config/model.yaml': EXPERIMENT['config/model.yaml']!.replace(
          'beta: 0.4',
          'beta: {type: sampled}',
        ),
      }
    : {}),
  'config/modelset.yaml':
    `modelset:\n  population_names: [${populations}]\n` +
    (betas ? `  sampling:\n    grid:\n      parameters:\n        beta: [${betas}]\n` : ''),
});

describe('the cross-run task cache', () => {
  it('gives a second run of an unchanged experiment every result without simulating, and the same outputs', async () => {
    const { storage } = bucket();
    const first = await run(storage, 'run-1');
    expect(first.computed).toEqual([0, 1, 2]);
    expect(first.built.cache).toEqual({ enabled: true, hits: 0, lookedUp: 3 });
    const second = await run(storage, 'run-2');
    expect(second.computed).toEqual([]);
    expect(second.built.cache).toEqual({ enabled: true, hits: 3, lookedUp: 3 });
    expect(await readCacheReport(storage, second.layout)).toEqual({ hits: 3, numTasks: 3 });
    for (let i = 0; i < 3; i++) {
      const [a, b] = [
        await readTaskResult(storage, first.layout, i),
        await readTaskResult(storage, second.layout, i),
      ];
      expect({ ...b, inputSha256: a.inputSha256 }).toEqual(a);
      const summary = await storage.getJson(second.layout.summary('runner', i));
      expect(summary).toMatchObject({
        skipped: true,
        cachedFrom: { expId: 'tests/tiny', runId: 'run-1', taskIndex: i },
      });
    }
    const quantiles = async (layout: RunLayout) => {
      const keys = await storage.list(layout.outputsPrefix);
      const key = keys.find((k) => k.endsWith('quantiles_compartments.csv.gz'))!;
      return storage.getText(key);
    };
    expect(await quantiles(second.layout)).toBe(await quantiles(first.layout));
  });

  it('recomputes only the tasks whose input changed: one location, one parameter value', async () => {
    const { storage } = bucket();
    await run(storage, 'run-1', { files: variant('US-MA, US-VT, US-RI') });
    const location = await run(storage, 'run-2', { files: variant('US-MA, US-VT, US-NH') });
    expect(location.computed).toEqual([2]);
    expect(location.built.cache.hits).toBe(2);
    await run(storage, 'run-3', { files: variant('US-MA, US-VT', '0.3, 0.4') });
    const parameter = await run(storage, 'run-4', { files: variant('US-MA, US-VT', '0.3, 0.5') });
    expect(parameter.built.numTasks).toBe(4);
    expect(parameter.computed).toHaveLength(2);
    expect(parameter.built.cache.hits).toBe(2);
    for (const index of parameter.computed) {
      const input = JSON.parse(await storage.getText(parameter.layout.input(index)));
      expect(JSON.stringify(input)).toMatch(/"beta":0\.5/);
    }
  });

  it('is keyed by the stage code: other code computes everything again', async () => {
    const { storage } = bucket();
    await run(storage, 'run-1');
    const other = await run(storage, 'run-2', {
      cache: { enabled: true, codeSha256: 'b'.repeat(64) },
    });
    expect(other.computed).toEqual([0, 1, 2]);
  });

  it('is neither read nor written when off, or without a code identity (stages from source)', async () => {
    const { storage, driver } = bucket();
    await run(storage, 'run-1', { cache: { enabled: false, codeSha256: CODE } });
    await run(storage, 'run-2', { cache: undefined });
    expect(driver.puts.filter((k) => k.includes('epycloud-cache/'))).toEqual([]);
    const third = await run(storage, 'run-3');
    expect(third.computed).toEqual([0, 1, 2]);
  });

  it('passes by an entry whose result was changed or removed since, and recomputes', async () => {
    const { storage } = bucket();
    const first = await run(storage, 'run-1');
    await storage.put(first.layout.result(1), new Uint8Array([1, 2, 3]));
    await storage.delete(first.layout.result(2));
    const second = await run(storage, 'run-2');
    expect(second.computed).toEqual([1, 2]);
    expect(
      second.log.lines.filter((l) => l.message.startsWith('cache entry passed by')),
    ).toHaveLength(2);
  });

  it('ignores where a task runs (run and experiment ids), not what it computes', () => {
    const input = { expId: 'a', runId: 'r1', taskIndex: 0, nSims: 4 };
    const hash = taskCacheHash(JSON.stringify(input), CODE);
    expect(taskCacheHash(JSON.stringify({ ...input, expId: 'b', runId: 'r2' }), CODE)).toBe(hash);
    expect(taskCacheHash(JSON.stringify({ ...input, taskIndex: 1 }), CODE)).not.toBe(hash);
    expect(taskCacheHash(JSON.stringify({ ...input, nSims: 5 }), CODE)).not.toBe(hash);
    expect(taskCacheHash(JSON.stringify(input), 'b'.repeat(64))).not.toBe(hash);
    expect(taskCacheKey(hash, 'team/')).toBe(`team/epycloud-cache/tasks/${hash}.json`);
    expect(() => taskCacheKey('../x')).toThrow(/64 hex digits/);
  });
});
