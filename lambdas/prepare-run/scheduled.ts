import type { RunLayout } from '../../lib/contract/layout.js';
import { RUNS_SEGMENT } from '../../lib/contract/run-dirs.js';
import {
  SCHEDULES_SEGMENT,
  scheduleSnapshotPrefix,
  scheduleStartedBy,
  type ScheduleSource,
} from '../../lib/contract/schedule.js';
import { StageError, ValidationError } from '../../lib/errors.js';
import type { Storage } from '../../lib/storage/index.js';

/** Copies one object of the data bucket to another key (S3: a server-side CopyObject). */
export type CopyObject = (fromKey: string, toKey: string) => Promise<void>;

/** What PrepareRun needs to start a scheduled run: the data bucket, to list, and a copier. */
export interface ScheduleSnapshots {
  readonly storage: Storage;
  readonly copy: CopyObject;
}

/** What is known of a scheduled run once PrepareRun has copied its experiment. */
export interface ScheduledRunStart {
  readonly expId: string;
  readonly runId: string;
  readonly referenceDate: string | undefined;
  /** `schedule:<name>`. */
  readonly startedBy: string;
  /** The object whose arrival started the run (a data-arrival trigger). */
  readonly trigger: string | undefined;
  readonly startedAt: string;
}

/**
 * Writes the run record of a scheduled run. SEAM: the run record (`run.json`,
 * `lib/run/run-record.ts`) does not exist yet; when it does, the handler
 * passes its writer here with `startedBy` as given.
 */
export type RecordScheduledRun = (start: ScheduledRunStart) => Promise<void>;

/**
 * Copies the schedule's experiment snapshot (`{expId}/schedules/{name}/experiment/`)
 * into the new run's `experiment/`: every file first, the snapshot manifest
 * LAST, so a copy cut short is never taken for a complete snapshot (Stage A
 * then checks every file against the manifest). Returns the number of objects copied.
 */
export async function copyScheduleSnapshot(
  snapshots: ScheduleSnapshots,
  source: ScheduleSource,
  layout: RunLayout,
): Promise<number> {
  refuseArtifactTrigger(source);
  const from = scheduleSnapshotPrefix(layout.expId, source.schedule, layout.dirPrefix);
  const manifestName = layout.snapshotManifest.slice(layout.experimentPrefixKey.length);
  const keys = await snapshots.storage.list(from);
  if (!keys.includes(`${from}${manifestName}`))
    throw new StageError(
      `Schedule "${source.schedule}" has no complete experiment snapshot under ${from} (in ${snapshots.storage.location}): ` +
        `recreate the schedule (epycloud schedule delete ${source.schedule}, then schedule create)`,
    );
  const files = keys.filter((key) => key !== `${from}${manifestName}`);
  for (const key of files) await snapshots.copy(key, layout.experimentFile(key.slice(from.length)));
  await snapshots.copy(`${from}${manifestName}`, layout.snapshotManifest);
  return files.length + 1;
}

/**
 * Breaks a trigger loop: a run started by an object that a run or a schedule
 * wrote (a trigger prefix overlapping the runs' keys) is refused before it
 * copies anything or costs a job.
 */
function refuseArtifactTrigger(source: ScheduleSource): void {
  const segments = source.trigger?.split('/') ?? [];
  if (segments.some((s) => s === RUNS_SEGMENT || s === SCHEDULES_SEGMENT))
    throw new ValidationError(
      `Refusing the run of schedule "${source.schedule}" triggered by ${source.trigger}: it is a key epycloud writes ` +
        `(under ${RUNS_SEGMENT}/ or ${SCHEDULES_SEGMENT}/), so each run would trigger another. Give the data-arrival trigger a prefix of its own`,
    );
}

/** The record of a scheduled run's start. */
export function scheduledRunStart(
  source: ScheduleSource,
  layout: RunLayout,
  referenceDate: string | undefined,
  now: Date,
): ScheduledRunStart {
  return {
    expId: layout.expId,
    runId: layout.runId,
    referenceDate,
    startedBy: scheduleStartedBy(source.schedule),
    trigger: source.trigger,
    startedAt: now.toISOString(),
  };
}
