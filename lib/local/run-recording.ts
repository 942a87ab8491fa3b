import type { WorkflowOptions, WorkflowResult } from '../backend/types.js';
import type { RunLayout } from '../contract/layout.js';
import { snapshotManifestSchema } from '../contract/snapshot-manifest.js';
import { EPYCLOUD_VERSION } from '../contract/version.js';
import { gitState } from '../host/git-state.js';
import {
  experimentDigest,
  readRunRecord,
  writeRunRecord,
  type RunLaunch,
  type RunRecord,
} from '../run/run-record.js';
import type { LocalContext } from './stages.js';

/** This launch of the run, as the record lists it. */
function thisLaunch(ctx: LocalContext, resumed: boolean): RunLaunch {
  return {
    kind: resumed ? 'resume' : 'start',
    at: (ctx.now?.() ?? new Date()).toISOString(),
    by: ctx.launchedBy?.by ?? 'unknown',
    ...(ctx.launchedBy ? { argv: [...ctx.launchedBy.argv] } : {}),
  };
}

/**
 * Writes `run.json` as the run starts (after its snapshot, before Stage A):
 * the experiment's files and digest, the version, the stage code, the
 * experiment folder's git state, this launch. A resume keeps the record's
 * start and adds itself to its launches.
 */
export async function recordRunStart(
  ctx: LocalContext,
  layout: RunLayout,
  options: WorkflowOptions,
  experimentDir: string,
  resumed: boolean,
): Promise<RunRecord> {
  const earlier = resumed
    ? await readRunRecord(ctx.storage, layout).catch(() => undefined)
    : undefined;
  const snapshot = snapshotManifestSchema.parse(await ctx.storage.getJson(layout.snapshotManifest));
  const [git, stageCode] = await Promise.all([
    ctx.exec ? gitState(ctx.exec, experimentDir) : undefined,
    ctx.launcher.stageCode?.(),
  ]);
  const launch = thisLaunch(ctx, resumed);
  const record: RunRecord = {
    version: 1,
    expId: layout.expId,
    runId: layout.runId,
    state: 'running',
    backend: 'local',
    runtime: ctx.launcher.runtime,
    startedAt: earlier?.startedAt ?? launch.at,
    ...(options.referenceDate ? { referenceDate: options.referenceDate } : {}),
    ...(options.outputConfigFile ? { outputConfigFile: options.outputConfigFile } : {}),
    experiment: experimentDigest(snapshot),
    epycloudVersion: EPYCLOUD_VERSION,
    ...(git ? { git } : {}),
    ...(stageCode ? { stageCode } : {}),
    launches: [...(earlier?.launches ?? []), launch],
    cache: { enabled: !options.noCache },
  };
  await writeRunRecord(ctx.storage, layout, record);
  return record;
}

/** Rewrites `run.json` with how the run ended: its state, end time, cache hits and failure. */
export async function recordRunEnd(
  ctx: LocalContext,
  layout: RunLayout,
  record: RunRecord,
  outcome: WorkflowResult | { readonly error: unknown },
): Promise<void> {
  const ended = (ctx.now?.() ?? new Date()).toISOString();
  const end: Partial<RunRecord> =
    'error' in outcome
      ? {
          state: ctx.signal?.aborted ? 'cancelled' : 'failed',
          failure: (outcome.error as Error).message ?? String(outcome.error),
        }
      : {
          state: outcome.status === 'succeeded' ? 'succeeded' : 'failed',
          ...(outcome.failure ? { failure: outcome.failure } : {}),
          cache: {
            enabled: record.cache.enabled,
            ...(outcome.cachedTasks !== undefined ? { hits: outcome.cachedTasks } : {}),
          },
        };
  await writeRunRecord(ctx.storage, layout, { ...record, ...end, endedAt: ended });
}
