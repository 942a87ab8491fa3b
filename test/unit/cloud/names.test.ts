import { describe, expect, it } from 'vitest';
import {
  consoleUrl,
  executionArn,
  executionName,
  executionNamePrefix,
} from '../../../lib/cloud/names.js';

const STEP_FUNCTIONS_NAME = /^[A-Za-z0-9_-]{1,80}$/;

describe('executionName', () => {
  it('is <expId>--<runId> when both are already clean', () => {
    expect(executionName('flu-a', '20261123-003000-ab12cd34')).toBe(
      'flu-a--20261123-003000-ab12cd34',
    );
  });

  it('sanitizes nested ids and dots, and keeps distinct runs distinct with a hash', () => {
    const a = executionName('202605/flu.a', 'r1');
    const b = executionName('202605-flu-a', 'r1');
    expect(a).toMatch(STEP_FUNCTIONS_NAME);
    expect(a.startsWith(executionNamePrefix('202605/flu.a'))).toBe(true);
    expect(a).not.toBe(b);
    expect(executionName('202605/flu.a', 'r1')).toBe(a);
  });

  it('fits 80 characters for long ids, keeping the run id whole', () => {
    const name = executionName(`${'x'.repeat(100)}/${'y'.repeat(100)}`, '20261123-003000-ab12cd34');
    expect(name).toMatch(STEP_FUNCTIONS_NAME);
    expect(name).toContain('--20261123-003000-ab12cd34-');
  });

  it('keeps the hash for the longest run ids, so runs that differ only at the end stay distinct', () => {
    const a = executionName('e.x', `${'r'.repeat(63)}a`);
    const b = executionName('e.x', `${'r'.repeat(63)}b`);
    expect(a).toMatch(STEP_FUNCTIONS_NAME);
    expect(a).not.toBe(b);
  });

  it('rejects ids the contract rejects', () => {
    expect(() => executionName('../x', 'r')).toThrow(/Invalid experiment id/);
    expect(() => executionName('x', 'a b')).toThrow(/Invalid run id/);
  });
});

describe('ARNs and links', () => {
  const sm = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline';
  it('derives the execution ARN from the state machine ARN', () => {
    expect(executionArn(sm, 'e1')).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:Pipeline:e1',
    );
    expect(() => executionArn('arn:aws:s3:::bucket', 'e1')).toThrow(/Not a state machine ARN/);
  });
  it('links to the console page of the execution in its region', () => {
    expect(consoleUrl('eu-west-1', 'arn:x')).toBe(
      'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:x',
    );
  });
});
