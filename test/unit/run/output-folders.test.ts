import { describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import {
  inUnfinishedOutput,
  outputFolders,
  removeUnfinishedOutputs,
} from '../../../lib/run/output-folders.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';

describe('outputFolders', () => {
  it('calls a folder finished only when index.json sits directly in it', () => {
    const folders = outputFolders([
      'outputs/b/index.json',
      'outputs/b/q.csv',
      'outputs/a/q.csv',
      'outputs/c/sub/index.json',
      'outputs/stray.txt',
      'summaries/output.json',
    ]);
    expect(folders).toEqual({ finished: ['b'], unfinished: ['a', 'c'] });
    expect(inUnfinishedOutput('outputs/a/q.csv', folders)).toBe(true);
    expect(inUnfinishedOutput('outputs/b/q.csv', folders)).toBe(false);
    expect(inUnfinishedOutput('summaries/a/q.csv', folders)).toBe(false);
  });
});

describe('removeUnfinishedOutputs', () => {
  it("deletes every key of the run's unfinished output folders and nothing else", async () => {
    const storage = new Storage(new MemoryDriver());
    const layout = new RunLayout('rel/coll', 'r1');
    const neighbour = new RunLayout('rel/coll/r1', 'r1');
    for (const l of [layout, neighbour]) {
      await storage.put(`${l.outputDir('a')}q.csv`, 'x');
      await storage.put(`${l.outputDir('b')}q.csv`, 'x');
      await storage.putJson(`${l.outputDir('b')}index.json`, {});
    }
    expect(await removeUnfinishedOutputs(storage, layout)).toEqual([layout.outputDir('a')]);
    expect(await storage.list(layout.outputsPrefix)).toEqual([
      `${layout.outputDir('b')}index.json`,
      `${layout.outputDir('b')}q.csv`,
    ]);
    expect(await storage.list(neighbour.outputsPrefix)).toHaveLength(3);
  });
});
