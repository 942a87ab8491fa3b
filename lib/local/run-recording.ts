import type { WorkflowOptions, WorkflowResult } from '../backend/types.js';
import type { RunLayout } from '../contract/layout.js';
import { EPYCLOUD_VERSION } from '../contract/version.js';
import { gitState } from '../host/git-state.js';
import {
  endRecord,
  readRunRecord,
  startRecord,
  writeRunRecord,
  type RunRecord,
} from '../run/run-record.js';
import type { LocalContext } from './stages.js';
import { snapshotEntries } from '../run/experiment-snapshot.js';

const nowIso = (ctx: LocalContext): string => (ctx.now?.() ?? new Date()).toISOString();

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
  const snapshot = await snapshotEntries(ctx.storage, layout);
  const [git, stageCode] = await Promise.all([
    ctx.exec ? gitState(ctx.exec, experimentDir) : undefined,
    ctx.launcher.stageCode?.(),
  ]);
  const record = startRecord({
    layout,
    backend: 'local',
    runtime: ctx.launcher.runtime,
    state: 'running',
    snapshot,
    launch: {
      kind: resumed ? 'resume' : 'start',
      at: nowIso(ctx),
      by: ctx.launchedBy?.by ?? 'unknown',
      ...(ctx.launchedBy ? { argv: [...ctx.launchedBy.argv] } : {}),
    },
    epycloudVersion: EPYCLOUD_VERSION,
    cacheEnabled: !options.noCache,
    referenceDate: options.referenceDate,
    outputConfigFile: options.outputConfigFile,
    git,
    stageCode,
    earlier,
  });
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
  const at = nowIso(ctx);
  const ended =
    'error' in outcome
      ? endRecord(record, {
          state: ctx.signal?.aborted ? 'cancelled' : 'failed',
          at,
          failure: (outcome.error as Error).message ?? String(outcome.error),
        })
      : endRecord(record, {
          state: outcome.status === 'succeeded' ? 'succeeded' : 'failed',
          at,
          failure: outcome.failure,
          cacheHits: outcome.cachedTasks,
        });
  await writeRunRecord(ctx.storage, layout, ended);
}
