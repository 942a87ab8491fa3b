import { z } from 'zod';
import type { RunLayout } from '../contract/layout.js';
import { sha256Schema } from '../contract/manifest.js';
import type { SnapshotManifest } from '../contract/snapshot-manifest.js';
import { NotFoundError, StorageError } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { sha256 } from './checksum.js';

/** The states a run record moves through; `started` is a cloud run whose end the record has not seen yet. */
export const RUN_STATES = ['running', 'started', 'succeeded', 'failed', 'cancelled'] as const;

/** What ran the stages: the stage bundle (processes) or an image (Docker, cloud). */
const stageCodeSchema = z.union([
  z.object({ kind: z.literal('bundle'), sha256: sha256Schema }),
  z.object({
    kind: z.literal('image'),
    /** The image as asked for (`epycloud:local`, a tag of the stack's repository). */
    image: z.string(),
    /** Its content id or digest when known (`sha256:...`). */
    digest: z.string().optional(),
  }),
]);

/** One launch of the run: its start, and each resume or retry (which keep the run id). */
const launchSchema = z.object({
  kind: z.enum(['start', 'resume', 'retry', 'job']),
  at: z.string(),
  /** Who started it: `user@host` (local), the caller's ARN (cloud), `schedule:<name>`. */
  by: z.string(),
  /** The CLI's arguments (after `epycloud`), when a CLI started it. */
  argv: z.array(z.string()).optional(),
});

/**
 * `run.json` at the root of every run: what made it (the experiment's files
 * and their hashes, the epycloud version, the stage code, the experiment
 * repository's commit), who started it and how, and how it ended. Written by
 * the launcher when the run starts and rewritten whole when it ends.
 */
export const runRecordSchema = z.object({
  version: z.literal(1),
  expId: z.string(),
  runId: z.string(),
  state: z.enum(RUN_STATES),
  backend: z.enum(['local', 'cloud', 'rehearsal']),
  /** Local runtime (`docker`, `process`) or `batch`. */
  runtime: z.string(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  /** `REFERENCE_DATE` of the run, when it overrides the experiment's own. */
  referenceDate: z.string().optional(),
  outputConfigFile: z.string().optional(),
  experiment: z.object({
    /** sha256 over the snapshot's files (path and hash of each, sorted): equal experiments, equal digests. */
    sha256: sha256Schema,
    files: z.array(z.object({ path: z.string(), sha256: sha256Schema, bytes: z.number() })),
  }),
  epycloudVersion: z.string(),
  /** The experiment folder's git checkout, when it is one. */
  git: z.object({ commit: z.string(), dirty: z.boolean() }).optional(),
  stageCode: stageCodeSchema.optional(),
  launches: z.array(launchSchema).min(1),
  /** Results taken from earlier runs by the task cache; `enabled: false` with `--no-cache`. */
  cache: z.object({ enabled: z.boolean(), hits: z.number().int().optional() }),
  /** Why the run failed, when it did. */
  failure: z.string().optional(),
});

/** A parsed run record. */
export type RunRecord = z.infer<typeof runRecordSchema>;
/** One launch of a run. */
export type RunLaunch = RunRecord['launches'][number];
/** The stage code of a run. */
export type StageCode = NonNullable<RunRecord['stageCode']>;

/** The experiment part of a record, from the snapshot manifest's files. */
export function experimentDigest(snapshot: SnapshotManifest['files']): RunRecord['experiment'] {
  const files = [...snapshot].sort((a, b) => a.path.localeCompare(b.path));
  const listing = files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
  return { sha256: sha256(listing), files };
}

/** Writes the record whole (it is small; the local driver renames, S3 puts atomically). */
export async function writeRunRecord(
  storage: Storage,
  layout: RunLayout,
  record: RunRecord,
): Promise<void> {
  await storage.putJson(layout.runRecord, runRecordSchema.parse(record));
}

/**
 * The run's record; undefined when the run has none (a run from before
 * records, or one whose launcher never wrote it). A record that is not valid
 * is an error naming its key.
 */
export async function readRunRecord(
  storage: Storage,
  layout: RunLayout,
): Promise<RunRecord | undefined> {
  let json: unknown;
  try {
    json = await storage.getJson(layout.runRecord);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const parsed = runRecordSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new StorageError(
    `Invalid run record ${layout.runRecord}: ${issue?.path.join('.')}: ${issue?.message}`,
  );
}

/** What a launcher knows when a run starts: everything of its record but the state it ends in. */
export interface RunStart {
  readonly layout: RunLayout;
  readonly backend: RunRecord['backend'];
  readonly runtime: string;
  readonly state: 'running' | 'started';
  /** The snapshot's files (`snapshotEntries`). */
  readonly snapshot: SnapshotManifest['files'];
  readonly launch: RunLaunch;
  readonly epycloudVersion: string;
  readonly cacheEnabled: boolean;
  readonly referenceDate?: string | undefined;
  readonly outputConfigFile?: string | undefined;
  readonly git?: RunRecord['git'] | undefined;
  readonly stageCode?: StageCode | undefined;
  /** The record of an earlier launch of the same run (a resume): its start and launches are kept. */
  readonly earlier?: RunRecord | undefined;
}

/** The record of a run as it starts, for every back end. */
export function startRecord(start: RunStart): RunRecord {
  return {
    version: 1,
    expId: start.layout.expId,
    runId: start.layout.runId,
    state: start.state,
    backend: start.backend,
    runtime: start.runtime,
    startedAt: start.earlier?.startedAt ?? start.launch.at,
    ...(start.referenceDate ? { referenceDate: start.referenceDate } : {}),
    ...(start.outputConfigFile ? { outputConfigFile: start.outputConfigFile } : {}),
    experiment: experimentDigest(start.snapshot),
    epycloudVersion: start.epycloudVersion,
    ...(start.git ? { git: start.git } : {}),
    ...(start.stageCode ? { stageCode: start.stageCode } : {}),
    launches: [...(start.earlier?.launches ?? []), start.launch],
    cache: { enabled: start.cacheEnabled },
  };
}

/** The record once the run ended: its state and end time, and why it failed. */
export function endRecord(
  record: RunRecord,
  end: {
    readonly state: 'succeeded' | 'failed' | 'cancelled';
    readonly at: string;
    readonly failure?: string | undefined;
    readonly cacheHits?: number | undefined;
  },
): RunRecord {
  const { failure: _earlier, ...rest } = record;
  return {
    ...rest,
    state: end.state,
    endedAt: end.at,
    ...(end.failure ? { failure: end.failure } : {}),
    cache: {
      enabled: record.cache.enabled,
      ...(end.cacheHits !== undefined ? { hits: end.cacheHits } : {}),
    },
  };
}
