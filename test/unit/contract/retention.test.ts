import { describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import {
  RETENTION_TAG,
  isIntermediateKey,
  objectTagsFor,
} from '../../../lib/contract/retention.js';

describe('retention tags', () => {
  const layout = new RunLayout('flu/builder-artifacts', 'r1', 'team/');

  it('marks builder and runner artifacts of the run as intermediate', () => {
    expect(objectTagsFor(layout, layout.input(3))).toEqual({
      [RETENTION_TAG.key]: RETENTION_TAG.intermediate,
    });
    expect(objectTagsFor(layout, layout.manifest)).toEqual({
      'epycloud:retention': 'intermediate',
    });
    expect(isIntermediateKey(layout, layout.result(0))).toBe(true);
  });

  it('keeps outputs, the experiment snapshot, summaries and keys of other runs', () => {
    expect(objectTagsFor(layout, `${layout.outputDir('20261123-000000')}q.csv`)).toEqual({});
    expect(isIntermediateKey(layout, layout.experimentFile('config/model.yaml'))).toBe(false);
    expect(isIntermediateKey(layout, layout.summary('runner', 1))).toBe(false);
    // An experiment id whose segment is named like an intermediate folder is not confused with one.
    expect(isIntermediateKey(layout, 'team/flu/builder-artifacts/runs/r2/outputs/x.csv')).toBe(
      false,
    );
  });
});
