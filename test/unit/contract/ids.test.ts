import { describe, expect, it } from 'vitest';
import {
  GENERATED_RUN_ID,
  newRunId,
  utcStamp,
  validateExpId,
  validateRunId,
} from '../../../lib/contract/ids.js';
import { ValidationError } from '../../../lib/errors.js';

describe('experiment ids', () => {
  it('accepts plain and nested ids', () => {
    for (const id of ['flu-a', '202605/flu-a', 'a.b_c/d-e/F9']) expect(validateExpId(id)).toBe(id);
  });

  it.each(['../x', 'a/../b', '/abs', 'a//b', 'a/', 'has space', 'semi;colon', '', 'a/./b', 'ünï'])(
    'rejects %j naming the rule',
    (id) => {
      expect(() => validateExpId(id)).toThrow(ValidationError);
      expect(() => validateExpId(id)).toThrow(/\[A-Za-z0-9\._\/-\]|empty/);
    },
  );

  it.each(['runs', 'a/runs', 'a/runs/b', 'a/Runs/b', 'RUNS/x'])(
    'reserves the separator segment: rejects %j',
    (id) => {
      expect(() => validateExpId(id)).toThrow(
        /"runs" is reserved: it separates experiment and run/,
      );
    },
  );

  it('bounds segments and the whole id', () => {
    expect(validateExpId(`${'a'.repeat(128)}/b`)).toBe(`${'a'.repeat(128)}/b`);
    expect(() => validateExpId(`x/${'a'.repeat(129)}`)).toThrow(
      /segment "a{20}\.\.\." has 129 characters.*at most 128 characters per segment/,
    );
    expect(() => validateExpId(Array(6).fill('a'.repeat(100)).join('/'))).toThrow(
      /has 605 characters.*512 in all/,
    );
  });
});

describe('run ids', () => {
  it('accepts generated and user ids', () => {
    for (const id of ['20261123-002954-deadbeef', 'my-run_1.2']) expect(validateRunId(id)).toBe(id);
  });

  it.each(['a/b', '..', '.', 'x..y', '', 'sp ace'])('rejects %j', (id) => {
    expect(() => validateRunId(id)).toThrow(/run ids use only/);
  });

  it.each([
    'logs',
    'outputs',
    'runner-artifacts',
    'builder-artifacts',
    'experiment',
    'summaries',
    'progress',
    'runs',
    'Logs',
  ])('refuses the layout name %j', (id) => {
    expect(() => validateRunId(id)).toThrow(ValidationError);
    expect(() => validateRunId(id)).toThrow(
      new RegExp(`Invalid run id "${id}": "${id}" is a folder name of the run layout`),
    );
  });

  it('refuses run ids over 64 characters with a short message, not ENAMETOOLONG later', () => {
    expect(validateRunId('r'.repeat(64))).toBe('r'.repeat(64));
    expect(() => validateRunId('r'.repeat(65))).toThrow(/it has 65 characters/);
    const error = (() => {
      try {
        validateRunId('r'.repeat(300));
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ValidationError');
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /^Invalid run id "r{60}\.\.\.": it has 300 characters; .*at most 64 characters/,
    );
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('newRunId', () => {
  it('is YYYYMMDD-HHMMSS-<8 hex> in UTC', () => {
    const id = newRunId(new Date('2026-11-23T00:29:54.999Z'), () =>
      Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    );
    expect(id).toBe('20261123-002954-deadbeef');
    expect(newRunId()).toMatch(GENERATED_RUN_ID);
  });

  it('gives different ids within the same second', () => {
    const now = new Date();
    expect(newRunId(now)).not.toBe(newRunId(now));
  });

  it('stamps in UTC whatever the local zone', () => {
    expect(utcStamp(new Date(Date.UTC(2025, 0, 2, 3, 4, 5)))).toBe('20250102-030405');
  });
});
