import type { RunLayout } from '../contract/layout.js';
import { EPYCLOUD_VERSION } from '../contract/version.js';
import {
  endRecord,
  readRunRecord,
  startRecord,
  writeRunRecord,
  type RunLaunch,
  type RunRecord,
} from './run-record.js';
import type { Storage } from '../storage/index.js';
import { snapshotEntries } from './experiment-snapshot.js';

/** What the CLI knows of a cloud (or rehearsed) run it starts, beyond its snapshot. */
export interface CloudRunStartFacts {
  readonly launch: RunLaunch;
  /** The image the run asks for: an image URI, or a tag of the stack's repository. */
  readonly image: string;
  readonly referenceDate?: string | undefined;
  readonly outputConfigFile?: string | undefined;
  readonly git?: RunRecord['git'] | undefined;
  readonly cacheEnabled: boolean;
}

/**
 * Writes the `run.json` of a cloud run the CLI starts (after its snapshot is
 * uploaded, before the execution starts), in state `started`: what runs
 * (PrepareRun pins the image by digest; the execution's output holds it) and
 * who started it.
 */
export async function recordCloudRunStart(
  storage: Storage,
  layout: RunLayout,
  backend: 'cloud' | 'rehearsal',
  facts: CloudRunStartFacts,
): Promise<RunRecord> {
  const snapshot = await snapshotEntries(storage, layout);
  const record = startRecord({
    layout,
    backend,
    runtime: 'batch',
    state: 'started',
    snapshot,
    launch: facts.launch,
    epycloudVersion: EPYCLOUD_VERSION,
    cacheEnabled: facts.cacheEnabled,
    referenceDate: facts.referenceDate,
    outputConfigFile: facts.outputConfigFile,
    git: facts.git,
    stageCode: { kind: 'image', image: facts.image },
  });
  await writeRunRecord(storage, layout, record);
  return record;
}

/** Rewrites a cloud run's record once the CLI saw its end (`--wait`, the rehearsal); a run without a record is left alone. */
export async function recordCloudRunEnd(
  storage: Storage,
  layout: RunLayout,
  end: { readonly failure?: string | undefined; readonly at: string; readonly digest?: string },
): Promise<void> {
  const record = await readRunRecord(storage, layout).catch(() => undefined);
  if (record === undefined) return;
  const ended = endRecord(record, {
    state: end.failure ? 'failed' : 'succeeded',
    at: end.at,
    failure: end.failure,
  });
  const stageCode =
    end.digest && record.stageCode?.kind === 'image'
      ? { ...record.stageCode, digest: end.digest }
      : record.stageCode;
  await writeRunRecord(storage, layout, { ...ended, ...(stageCode ? { stageCode } : {}) });
}
