import { describe, expect, it } from 'vitest';
import {
  anyRunKey,
  indexFromName,
  padIndex,
  parseRunKey,
  parseStage,
  RunLayout,
  runsPrefix,
} from '../../../lib/contract/layout.js';

describe('RunLayout', () => {
  const layout = new RunLayout('202605/flu-a', '20260501-120000-abcdef01', 'team/');

  it('puts everything under {DIR_PREFIX}{EXP_ID}/runs/{RUN_ID}/', () => {
    expect(layout.prefix).toBe('team/202605/flu-a/runs/20260501-120000-abcdef01/');
    const keys = [
      layout.input(0),
      layout.manifest,
      layout.result(7),
      layout.outputDir('20260501-130000'),
      layout.summary('runner', 3),
      layout.log('output'),
      layout.experimentFile('config/model.yaml'),
    ];
    for (const key of keys) expect(key.startsWith(layout.prefix)).toBe(true);
  });

  it('names artifacts as the contract says', () => {
    const p = layout.prefix;
    expect(layout.input(0)).toBe(`${p}builder-artifacts/input_00000.json.gz`);
    expect(layout.manifest).toBe(`${p}builder-artifacts/manifest.json`);
    expect(layout.result(42)).toBe(`${p}runner-artifacts/result_00042.arrow`);
    expect(layout.outputDir('20260501-130000')).toBe(`${p}outputs/20260501-130000/`);
    expect(layout.summary('builder')).toBe(`${p}summaries/builder.json`);
    expect(layout.summary('runner', 3)).toBe(`${p}summaries/runner_00003.json`);
    expect(layout.log('runner', 12)).toBe(`${p}logs/runner_00012.log`);
    expect(layout.experimentFile('config/model.yaml')).toBe(`${p}experiment/config/model.yaml`);
  });

  it('keeps indexes above 99,999 whole and parses them back', () => {
    expect(padIndex(5)).toBe('00005');
    expect(padIndex(123456)).toBe('123456');
    expect(indexFromName(layout.result(123456), 'result')).toBe(123456);
    expect(indexFromName(layout.input(3), 'input')).toBe(3);
    expect(indexFromName('runner-artifacts/other.json', 'result')).toBeUndefined();
  });

  it('rejects bad ids, prefixes and indexes', () => {
    expect(() => new RunLayout('../x', 'r')).toThrow(/experiment id/);
    expect(() => new RunLayout('x', 'a/b')).toThrow(/run id/);
    expect(() => new RunLayout('x', 'r', 'no-slash')).toThrow(/DIR_PREFIX/);
    expect(() => new RunLayout('x', 'r', '../up/')).toThrow(/DIR_PREFIX/);
    expect(() => padIndex(-1)).toThrow(/non-negative integer/);
    expect(() => padIndex(1.5)).toThrow(/non-negative integer/);
  });
});

describe('run prefixes of nested experiments', () => {
  const ids = ['rel', 'rel/coll', 'rel/coll/r1', 'rel/coll/r1/logs', 'rel/coll/outputs'];
  const runIds = ['r1', 'r2', 'logs-1', 'coll'];
  const layouts = ids.flatMap((e) => runIds.map((r) => new RunLayout(e, r, 'team/')));

  it('never lets a run prefix hold, or sit in, another run or another experiment', () => {
    for (const a of layouts) {
      for (const b of layouts) if (a !== b) expect(b.prefix.startsWith(a.prefix)).toBe(false);
      for (const e of ids)
        if (e !== a.expId) expect(runsPrefix(e, 'team/').startsWith(a.prefix)).toBe(false);
    }
  });

  it("lists only the experiment's own runs under its runs prefix", () => {
    const under = layouts.filter((l) => l.manifest.startsWith(runsPrefix('rel/coll', 'team/')));
    expect(under.map((l) => l.expId)).toEqual(runIds.map(() => 'rel/coll'));
  });

  it('parses any key of a run back into experiment, run and key in the run', () => {
    for (const l of layouts)
      expect(parseRunKey(l.result(3), 'team/')).toEqual({
        expId: l.expId,
        runId: l.runId,
        keyInRun: 'runner-artifacts/result_00003.arrow',
      });
    expect(parseRunKey('team/rel/coll/r1/outputs/x.csv', 'team/')).toBeUndefined();
    expect(parseRunKey('rel/runs/r1/', '')).toBeUndefined();
    expect(parseRunKey('other/rel/runs/r1/x', 'team/')).toBeUndefined();
  });

  it('gives IAM one pattern for a key of every run', () => {
    expect(anyRunKey('builder-artifacts/manifest.json')).toBe(
      '*/runs/*/builder-artifacts/manifest.json',
    );
  });
});

describe('parseStage', () => {
  it('accepts letters and names in any case', () => {
    expect(['A', 'b', 'C', 'builder', 'Runner', 'OUTPUT'].map(parseStage)).toEqual([
      'builder',
      'runner',
      'output',
      'builder',
      'runner',
      'output',
    ]);
  });

  it('names the accepted values', () => {
    expect(() => parseStage('D')).toThrow(
      'Unknown stage "D": expected A, B, C, builder, runner or output',
    );
  });
});
