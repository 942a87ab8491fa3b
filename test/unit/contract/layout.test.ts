import { describe, expect, it } from 'vitest';
import { indexFromName, padIndex, parseStage, RunLayout } from '../../../lib/contract/layout.js';

describe('RunLayout', () => {
  const layout = new RunLayout('202605/flu-a', '20260501-120000-abcdef01', 'team/');

  it('puts everything under {DIR_PREFIX}{EXP_ID}/{RUN_ID}/', () => {
    expect(layout.prefix).toBe('team/202605/flu-a/20260501-120000-abcdef01/');
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
    expect(layout.result(42)).toBe(`${p}runner-artifacts/result_00042.json.gz`);
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
    expect(() => parseStage('D')).toThrow('Unknown stage "D": expected A, B, C, builder, runner or output');
  });
});
