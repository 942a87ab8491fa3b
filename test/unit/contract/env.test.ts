import { describe, expect, it } from 'vitest';
import {
  parseFaultInjection,
  parseNumTasks,
  parseReferenceDate,
  parseStageEnv,
  resolveTaskIndex,
  stageEnvironment,
  DEFAULT_LOCAL_BUCKET_DIR,
} from '../../../lib/contract/env.js';

describe('resolveTaskIndex', () => {
  it('prefers TASK_INDEX, then BATCH_TASK_INDEX, then AWS_BATCH_JOB_ARRAY_INDEX', () => {
    expect(
      resolveTaskIndex(
        { TASK_INDEX: '1', BATCH_TASK_INDEX: '2', AWS_BATCH_JOB_ARRAY_INDEX: '3' },
        10,
      ),
    ).toBe(1);
    expect(resolveTaskIndex({ BATCH_TASK_INDEX: '2', AWS_BATCH_JOB_ARRAY_INDEX: '3' }, 10)).toBe(2);
    expect(resolveTaskIndex({ AWS_BATCH_JOB_ARRAY_INDEX: '3' }, 10)).toBe(3);
    expect(resolveTaskIndex({ TASK_INDEX: '', AWS_BATCH_JOB_ARRAY_INDEX: '4' }, 10)).toBe(4);
  });

  it('adds TASK_INDEX_OFFSET for split array jobs', () => {
    expect(
      resolveTaskIndex({ AWS_BATCH_JOB_ARRAY_INDEX: '5', TASK_INDEX_OFFSET: '10000' }, 25_000),
    ).toBe(10_005);
  });

  it('never falls back to a silent task 0', () => {
    expect(() => resolveTaskIndex({}, 3)).toThrow(
      /No task index: set one of TASK_INDEX, BATCH_TASK_INDEX, AWS_BATCH_JOB_ARRAY_INDEX/,
    );
  });

  it.each(['-1', '1.5', 'abc', '2e3', ' '])('rejects a non-integer index %j', (value) => {
    expect(() => resolveTaskIndex({ TASK_INDEX: value }, 5000)).toThrow(
      /not a non-negative integer/,
    );
  });

  it('rejects an index at or past the number of tasks', () => {
    expect(() => resolveTaskIndex({ TASK_INDEX: '3' }, 3)).toThrow(
      'the run has 3 task(s), indexes 0..2',
    );
    expect(() =>
      resolveTaskIndex({ AWS_BATCH_JOB_ARRAY_INDEX: '1', TASK_INDEX_OFFSET: '2' }, 3),
    ).toThrow(/TASK_INDEX_OFFSET=2/);
  });
});

describe('parseStageEnv', () => {
  it('parses a local stage environment with the default bucket directory', () => {
    const env = parseStageEnv({ EXECUTION_MODE: 'local', EXP_ID: 'e/x', RUN_ID: 'r1' });
    expect(env.storage).toEqual({ mode: 'local', root: DEFAULT_LOCAL_BUCKET_DIR });
    expect(env.layout.prefix).toBe('e/x/runs/r1/');
    expect(env.outputConfigFile).toBeUndefined();
    expect(env.referenceDate).toBeUndefined();
  });

  it('parses a cloud stage environment', () => {
    const env = parseStageEnv({
      EXECUTION_MODE: 'cloud',
      S3_BUCKET: 'b',
      EXP_ID: 'e',
      RUN_ID: 'r',
      DIR_PREFIX: 'p/',
      OUTPUT_CONFIG_FILE: 'o.yaml',
      REFERENCE_DATE: '2024-12-14',
    });
    expect(env.storage).toEqual({ mode: 'cloud', bucket: 'b' });
    expect(env.layout.prefix).toBe('p/e/runs/r/');
    expect(env.outputConfigFile).toBe('o.yaml');
    expect(env.referenceDate).toBe('2024-12-14');
  });

  it('names the missing or bad variable', () => {
    expect(() => parseStageEnv({ EXECUTION_MODE: 'local', RUN_ID: 'r' })).toThrow(
      'Environment variable EXP_ID is not set: expected the experiment id',
    );
    expect(() => parseStageEnv({ EXECUTION_MODE: 'local', EXP_ID: '../e', RUN_ID: 'r' })).toThrow(
      /Invalid experiment id "..\/e"/,
    );
    expect(() => parseStageEnv({ EXP_ID: 'e', RUN_ID: 'r' })).toThrow(/EXECUTION_MODE is not set/);
  });
});

describe('parseReferenceDate', () => {
  it('accepts a Saturday, and nothing when unset or empty', () => {
    expect(parseReferenceDate({ REFERENCE_DATE: '2024-12-14' })).toBe('2024-12-14');
    expect(parseReferenceDate({ REFERENCE_DATE: '2024-02-24' })).toBe('2024-02-24');
    expect(parseReferenceDate({})).toBeUndefined();
    expect(parseReferenceDate({ REFERENCE_DATE: '' })).toBeUndefined();
  });

  it('rejects a date that is not a Saturday, naming the weekday and the Saturdays around it', () => {
    expect(() => parseReferenceDate({ REFERENCE_DATE: '2024-12-13' })).toThrow(
      'Environment variable REFERENCE_DATE="2024-12-13" is invalid: it is a Friday: expected a Saturday (2024-12-07 or 2024-12-14)',
    );
    expect(() => parseReferenceDate({ REFERENCE_DATE: '2024-12-15' })).toThrow(
      /it is a Sunday: expected a Saturday \(2024-12-14 or 2024-12-21\)/,
    );
  });

  it.each([
    '2024-02-30',
    '2023-02-29',
    '2024-13-01',
    '14/12/2024',
    '2024-12-14T00:00:00Z',
    'saturday',
  ])('rejects %j, which is not a real YYYY-MM-DD date', (value) => {
    expect(() => parseReferenceDate({ REFERENCE_DATE: value })).toThrow(
      `Environment variable REFERENCE_DATE="${value}" is invalid: expected a real calendar date YYYY-MM-DD that is a Saturday`,
    );
  });

  it('fails the whole stage environment', () => {
    expect(() =>
      parseStageEnv({
        EXECUTION_MODE: 'local',
        EXP_ID: 'e',
        RUN_ID: 'r',
        REFERENCE_DATE: '2024-12-13',
      }),
    ).toThrow(/REFERENCE_DATE/);
  });
});

describe('stageEnvironment', () => {
  it('is the inverse of the parsers', () => {
    const env = stageEnvironment({
      mode: 'cloud',
      expId: 'e',
      runId: 'r',
      bucket: 'b',
      numTasks: 7,
      taskIndex: 2,
      allowPartial: true,
    });
    expect(parseStageEnv(env).layout.prefix).toBe('e/runs/r/');
    expect(parseNumTasks(env)).toBe(7);
    expect(resolveTaskIndex(env, 7)).toBe(2);
    expect(env.ALLOW_PARTIAL_RESULTS).toBe('true');
    expect(Object.keys(env).some((k) => k.startsWith('AWS_BATCH'))).toBe(false);
  });

  it('round-trips the output config file and the reference date, and leaves them out when absent', () => {
    const env = stageEnvironment({
      mode: 'local',
      expId: 'e',
      runId: 'r',
      outputConfigFile: 'o.yaml',
      referenceDate: '2024-12-14',
    });
    expect(env).toMatchObject({ OUTPUT_CONFIG_FILE: 'o.yaml', REFERENCE_DATE: '2024-12-14' });
    expect(parseStageEnv(env)).toMatchObject({
      outputConfigFile: 'o.yaml',
      referenceDate: '2024-12-14',
    });
    expect(Object.keys(stageEnvironment({ mode: 'local', expId: 'e', runId: 'r' }))).not.toContain(
      'REFERENCE_DATE',
    );
  });
});

describe('parseFaultInjection', () => {
  it('is off unless tasks are named', () => {
    expect(parseFaultInjection({})).toBeUndefined();
  });

  it('parses the tasks and the failing attempts', () => {
    const fault = parseFaultInjection({
      EPYCLOUD_FAULT_TASKS: '3, 5',
      EPYCLOUD_FAULT_ATTEMPTS: '1',
    });
    expect([...(fault?.tasks ?? [])]).toEqual([3, 5]);
    expect(fault?.attempts).toBe(1);
    expect(parseFaultInjection({ EPYCLOUD_FAULT_TASKS: '0' })?.attempts).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => parseFaultInjection({ EPYCLOUD_FAULT_TASKS: 'x' })).toThrow(
      /EPYCLOUD_FAULT_TASKS/,
    );
  });
});
