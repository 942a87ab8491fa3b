import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  cloudLogExtras,
  cloudLogFields,
  cloudWorkflowExtras,
  cloudWorkflowFields,
} from '../../../cli/cloud-options.js';

const workflow = z.object(cloudWorkflowFields);
const logs = z.object(cloudLogFields);

describe('cloud run options', () => {
  it('maps per-stage flags onto the execution input stages', () => {
    const o = workflow.parse({
      stageBMemory: '4096',
      stageBVcpus: '2',
      stageCVcpus: '0.5',
      maxParallelism: '50',
      wait: true,
    });
    expect(cloudWorkflowExtras(o)).toEqual({
      maxParallelism: 50,
      stages: { runner: { vcpus: 2, memoryMiB: 4096 }, output: { vcpus: 0.5 } },
      imageTag: undefined,
      wait: true,
    });
  });

  it('rejects malformed values and cloud flags on local runs, naming them', () => {
    expect(workflow.safeParse({ stageAMemory: '2G' }).success).toBe(false);
    expect(workflow.safeParse({ maxParallelism: '0' }).success).toBe(false);
    expect(() =>
      cloudWorkflowExtras({ ...workflow.parse({ imageTag: 'v1', wait: true }), local: true }),
    ).toThrow(/--image-tag, --wait: cloud options/);
  });
});

describe('cloud log options', () => {
  it('reads --since as a duration or a date', () => {
    const before = Date.now();
    const since = logs.parse({ since: '30m' }).since?.getTime() ?? 0;
    const after = Date.now();
    expect(since).toBeGreaterThanOrEqual(before - 30 * 60_000);
    expect(since).toBeLessThanOrEqual(after - 30 * 60_000);
    expect(logs.parse({ since: '2026-11-01T00:00:00Z' }).since?.toISOString()).toBe(
      '2026-11-01T00:00:00.000Z',
    );
    expect(logs.safeParse({ since: 'yesterday' }).success).toBe(false);
  });

  it('prints followed lines as they come, and refuses cloud log flags with --local', () => {
    const out: string[] = [];
    const extras = cloudLogExtras({ follow: true }, (t) => out.push(t));
    extras.onLine?.({ stage: 'runner', taskIndex: 3, attempt: 1, timestamp: 0, message: 'hello' });
    expect(out).toEqual(['[runner 3] hello\n']);
    expect(() => cloudLogExtras({ follow: false, tail: 5, local: true }, () => {})).toThrow(
      /for cloud logs/,
    );
  });
});
