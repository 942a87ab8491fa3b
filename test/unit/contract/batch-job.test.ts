import { describe, expect, it } from 'vitest';
import {
  BATCH_JOB_NAME_MAX,
  assertNoReservedNames,
  stageContainerOverrides,
  stageJobName,
  stageJobTags,
} from '../../../lib/contract/batch-job.js';

const base = {
  expId: 'flu/2026',
  runId: 'r1',
  dirPrefix: 'team/',
  bucket: 'data',
  resources: { vcpus: 0.5, memoryMiB: 1024 },
};
const envOf = (o: ReturnType<typeof stageContainerOverrides>) =>
  Object.fromEntries(o.Environment.map((e) => [e.Name, e.Value]));

describe('stageContainerOverrides', () => {
  it('carries the stage contract environment, sorted, and the job size', () => {
    const overrides = stageContainerOverrides({ ...base, stage: 'builder' });
    expect(overrides.Environment.map((e) => e.Name)).toEqual([
      'DIR_PREFIX',
      'EXECUTION_MODE',
      'EXP_ID',
      'RUN_ID',
      'S3_BUCKET',
    ]);
    expect(envOf(overrides)).toMatchObject({
      EXECUTION_MODE: 'cloud',
      EXP_ID: 'flu/2026',
      RUN_ID: 'r1',
      DIR_PREFIX: 'team/',
      S3_BUCKET: 'data',
    });
    expect(overrides.ResourceRequirements).toEqual([
      { Type: 'VCPU', Value: '0.5' },
      { Type: 'MEMORY', Value: '1024' },
    ]);
  });

  it('sets TASK_INDEX for a plain job and TASK_INDEX_OFFSET for a split array, never an AWS_BATCH* name', () => {
    const single = envOf(stageContainerOverrides({ ...base, stage: 'runner', taskIndex: 0 }));
    expect(single.TASK_INDEX).toBe('0');
    const split = envOf(
      stageContainerOverrides({ ...base, stage: 'runner', taskIndexOffset: 10_000 }),
    );
    expect(split).toMatchObject({ TASK_INDEX_OFFSET: '10000' });
    expect(split.TASK_INDEX).toBeUndefined();
    for (const env of [single, split])
      expect(Object.keys(env).some((n) => n.startsWith('AWS_BATCH'))).toBe(false);
  });

  it('leaves out a size it is not given (the job definition keeps it)', () => {
    const overrides = stageContainerOverrides({
      ...base,
      stage: 'runner',
      taskIndex: 1,
      resources: { memoryMiB: 2048 },
    });
    expect(overrides.ResourceRequirements).toEqual([{ Type: 'MEMORY', Value: '2048' }]);
    expect(
      stageContainerOverrides({ ...base, stage: 'builder', resources: {} }).ResourceRequirements,
    ).toEqual([]);
  });

  it('gives Stage C NUM_TASKS and the output config file', () => {
    const env = envOf(
      stageContainerOverrides({
        ...base,
        stage: 'output',
        numTasks: 7,
        outputConfigFile: 'output.yaml',
      }),
    );
    expect(env).toMatchObject({ NUM_TASKS: '7', OUTPUT_CONFIG_FILE: 'output.yaml' });
  });

  it('gives Stage A the output config file and the reference date', () => {
    const overrides = stageContainerOverrides({
      ...base,
      stage: 'builder',
      outputConfigFile: 'o.yaml',
      referenceDate: '2024-12-14',
    });
    expect(envOf(overrides)).toMatchObject({
      OUTPUT_CONFIG_FILE: 'o.yaml',
      REFERENCE_DATE: '2024-12-14',
    });
    expect(overrides.Environment.map((e) => e.Name)).toEqual(
      [...overrides.Environment.map((e) => e.Name)].sort(),
    );
  });

  it('rejects a bad experiment id through the stage contract', () => {
    expect(() => stageContainerOverrides({ ...base, stage: 'builder', expId: '../x' })).toThrow(
      /Invalid experiment id/,
    );
  });
});

describe('assertNoReservedNames', () => {
  it('rejects AWS_BATCH* names', () => {
    expect(() => assertNoReservedNames(['EXP_ID', 'AWS_BATCH_JOB_ARRAY_INDEX'])).toThrow(
      'AWS_BATCH_JOB_ARRAY_INDEX is reserved by AWS Batch',
    );
    expect(() => assertNoReservedNames(['EXP_ID'])).not.toThrow();
  });
});

describe('stageJobName', () => {
  it('builds a Batch-safe name carrying stage, experiment, run and part', () => {
    expect(stageJobName('runner', 'flu/2026.a', 'r1', 2)).toBe(
      'epycloud-runner-flu-2026-a-r1-part2',
    );
    expect(stageJobName('output', 'x', '20261123-000000-abcd1234')).toBe(
      'epycloud-output-x-20261123-000000-abcd1234',
    );
    expect(stageJobName('runner', 'flu/2026.a', 'r1', { taskIndex: 4 })).toBe(
      'epycloud-runner-flu-2026-a-r1-task4',
    );
  });

  it('shortens the experiment part, keeping run id and part whole', () => {
    const name = stageJobName('runner', 'e'.repeat(200), 'run-1', 3);
    expect(name).toHaveLength(BATCH_JOB_NAME_MAX);
    expect(name.endsWith('-run-1-part3')).toBe(true);
    expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$/);
  });
});

describe('stageJobTags', () => {
  it('tags exp_id, run_id, stage, profile and billing project', () => {
    expect(
      stageJobTags({
        stage: 'builder',
        expId: 'flu/2026',
        runId: 'r1',
        profile: 'dev',
        billingProject: 'grant-42',
      }),
    ).toEqual({
      'epycloud:exp_id': 'flu/2026',
      'epycloud:run_id': 'r1',
      'epycloud:stage': 'builder',
      'epycloud:profile': 'dev',
      'epycloud:billing_project': 'grant-42',
    });
  });

  it('leaves out profile and billing project when not given (a CLI run job)', () => {
    expect(stageJobTags({ stage: 'runner', expId: 'e', runId: 'r' })).toEqual({
      'epycloud:exp_id': 'e',
      'epycloud:run_id': 'r',
      'epycloud:stage': 'runner',
    });
  });

  it('rejects a value outside the tag alphabet, naming the tag', () => {
    expect(() =>
      stageJobTags({
        stage: 'builder',
        expId: 'x',
        runId: 'r',
        profile: 'dev',
        billingProject: 'a&b',
      }),
    ).toThrow('Tag epycloud:billing_project="a&b" is invalid');
  });
});
