import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ObjectCopier } from '../../../lambdas/prepare-run/copy-object.js';
import { prepareRun, type PrepareDeps } from '../../../lambdas/prepare-run/prepare.js';
import type { ScheduledRunStart } from '../../../lambdas/prepare-run/scheduled.js';
import type { PrepareConfig } from '../../../lib/contract/lambda-config.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { scheduleSnapshotPrefix } from '../../../lib/contract/schedule.js';
import { StageError, ValidationError } from '../../../lib/errors.js';
import { readVerifiedSnapshot, writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { RebasedDriver } from '../../../lib/schedule/rebased-driver.js';
import { createS3Client, S3Driver, Storage } from '../../../lib/storage/index.js';
import { startS3Server, type S3Server } from '../../support/s3-server.js';

const BUCKET = 'data';
const config: PrepareConfig = {
  bucket: BUCKET,
  environment: 'prod',
  billingProject: 'default',
  platform: 'fargate',
  repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/epycloud',
  allowedImageRepositories: [],
  resources: {
    builder: { vcpus: 1, memoryMiB: 2048 },
    runner: { vcpus: 1, memoryMiB: 2048 },
    output: { vcpus: 2, memoryMiB: 4096 },
  },
  jobDefinitions: { builder: 'jd-b:1', runner: 'jd-r:1', output: 'jd-o:1' },
};
const FILES = new Map([
  ['config/model.yaml', 'model: {}\n'],
  ['config/modelset.yaml', 'modelset: {}\n'],
  ['data/target hospital admissions.csv', 'date,value\n2026-11-21,3\n'],
]);
/** Wednesday 2026-11-25 14:00 UTC: the hub's reference date is Saturday 2026-11-28. */
const now = () => new Date('2026-11-25T14:00:00Z');
const env = (result: Awaited<ReturnType<typeof prepareRun>>) =>
  Object.fromEntries(
    (result.run.builder.containerOverrides.Environment ?? []).map((e) => [e.Name, e.Value]),
  );

describe('PrepareRun with a scheduled input (s3rver on 127.0.0.1, real CopyObject)', () => {
  let s3: S3Server;
  let storage: Storage;
  let deps: PrepareDeps;
  const copies: string[] = [];
  const records: ScheduledRunStart[] = [];

  /** Writes a schedule's snapshot as `schedule create` does: lib/run's writer through the rebasing driver. */
  async function writeScheduleSnapshot(expId: string, name: string): Promise<void> {
    const staging = new RunLayout(expId, 'schedule-snapshot');
    const driver = new RebasedDriver(
      storage.driver,
      staging.experimentPrefixKey,
      scheduleSnapshotPrefix(expId, name),
    );
    await writeSnapshot(new Storage(driver), staging, FILES);
  }

  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    const client = createS3Client(s3.env);
    storage = new Storage(new S3Driver(client, BUCKET));
    const copy = s3ObjectCopier(client, BUCKET);
    deps = {
      config,
      registerImage: async () => {
        throw new Error('must not register');
      },
      resolveImageDigest: async () => {
        throw new Error('must not resolve');
      },
      now,
      snapshots: {
        storage,
        copy: async (from, to) => {
          copies.push(to.slice(to.lastIndexOf('/') + 1));
          await copy(from, to);
        },
      },
      recordScheduledRun: async (start) => {
        records.push(start);
      },
    };
    await writeScheduleSnapshot('flu/2026', 'flu-weekly');
  }, 30_000);
  afterAll(async () => {
    await s3?.stop();
  });

  it('makes a run id, copies the snapshot into its experiment/ (manifest last) and resolves auto to the coming Saturday', async () => {
    copies.length = 0;
    const result = await prepareRun(
      { expId: 'flu/2026', referenceDate: 'auto', source: { schedule: 'flu-weekly' } },
      deps,
    );
    expect(result.run.runId).toMatch(/^20261125-140000-[0-9a-f]{8}$/);
    expect(env(result).REFERENCE_DATE).toBe('2026-11-28');
    expect(copies.at(-1)).toBe('snapshot-manifest.json');
    expect(copies).toHaveLength(FILES.size + 1);
    const layout = new RunLayout('flu/2026', result.run.runId);
    expect(await readVerifiedSnapshot(storage, layout)).toEqual(
      new Map([...FILES].sort(([a], [b]) => (a < b ? -1 : 1))),
    );
    expect(records.at(-1)).toEqual({
      expId: 'flu/2026',
      runId: result.run.runId,
      referenceDate: '2026-11-28',
      startedBy: 'schedule:flu-weekly',
      trigger: undefined,
      startedAt: '2026-11-25T14:00:00.000Z',
    });
  });

  it('keeps a fixed reference date and records the object that triggered the run', async () => {
    const result = await prepareRun(
      {
        expId: 'flu/2026',
        referenceDate: '2026-12-05',
        source: { schedule: 'flu-weekly', trigger: 'surveillance/nhsn/latest.csv' },
      },
      deps,
    );
    expect(env(result).REFERENCE_DATE).toBe('2026-12-05');
    expect(records.at(-1)?.trigger).toBe('surveillance/nhsn/latest.csv');
  });

  it('fails before copying when the schedule has no snapshot', async () => {
    copies.length = 0;
    const error = await prepareRun(
      { expId: 'flu/2026', source: { schedule: 'no-such' } },
      deps,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StageError);
    expect((error as Error).message).toContain(
      'Schedule "no-such" has no complete experiment snapshot under flu/2026/schedules/no-such/experiment/',
    );
    expect(copies).toEqual([]);
  });

  it('refuses a run triggered by a key a run wrote (a trigger loop), copying nothing', async () => {
    copies.length = 0;
    const error = await prepareRun(
      {
        expId: 'flu/2026',
        source: { schedule: 'flu-weekly', trigger: 'flu/2026/runs/r1/outputs/x.csv' },
      },
      deps,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('each run would trigger another');
    expect(copies).toEqual([]);
  });

  it('leaves an ordinary input as it was: no copy, no record, its own run id and date', async () => {
    copies.length = 0;
    const before = records.length;
    const result = await prepareRun(
      { expId: 'flu/2026', runId: 'r7', referenceDate: '2026-11-28' },
      deps,
    );
    expect(result.run.runId).toBe('r7');
    expect(env(result).REFERENCE_DATE).toBe('2026-11-28');
    expect(copies).toEqual([]);
    expect(records).toHaveLength(before);
  });

  it('refuses a scheduled input when it has no access to the bucket', async () => {
    const { snapshots: _unused, ...without } = deps;
    await expect(
      prepareRun({ expId: 'flu/2026', source: { schedule: 'flu-weekly' } }, without),
    ).rejects.toThrow(/no access to the data bucket/);
  });
});
