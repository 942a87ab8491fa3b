import { RunLayout, parseRunKey } from '../contract/layout.js';
import { RUN_DIRS } from '../contract/run-dirs.js';
import type { Storage } from '../storage/index.js';
import { readManifest } from './manifest.js';
import { outputFolders } from './output-folders.js';
import { readRunRecord, type RunRecord } from './run-record.js';

/** One run of an experiment, as listings show it. */
export interface RunListing {
  readonly runId: string;
  /** `complete` (a finished output), `results ready` (every result, no output), `built` (a manifest), `started` (less). */
  readonly state: 'complete' | 'results ready' | 'built' | 'started';
  readonly numTasks?: number;
  readonly results: number;
  readonly outputs: number;
  /** What its `run.json` says, when it has one. */
  readonly record?: RunRecordGlance;
}

/** The part of a run record a listing shows. */
export interface RunRecordGlance {
  readonly state: RunRecord['state'];
  readonly startedBy: string;
  readonly git?: RunRecord['git'];
  readonly cacheHits?: number;
}

/** A run record's glance; undefined when it cannot be read (listings never fail on one run). */
async function glance(storage: Storage, layout: RunLayout): Promise<RunRecordGlance | undefined> {
  const record = await readRunRecord(storage, layout).catch(() => undefined);
  if (record === undefined) return undefined;
  return {
    state: record.state,
    startedBy: record.launches[0]!.by,
    ...(record.git ? { git: record.git } : {}),
    ...(record.cache.hits !== undefined ? { cacheHits: record.cache.hits } : {}),
  };
}

/** One experiment and its runs, newest first. */
export interface ExperimentListing {
  readonly expId: string;
  /** Whether its config folder exists (runs may outlive it). */
  readonly hasConfig: boolean;
  readonly runs: readonly RunListing[];
}

/** Groups bucket keys by run: `expId -> runId -> keys relative to the run`; keys under no run are left out. */
export function groupRuns(keys: readonly string[]): Map<string, Map<string, string[]>> {
  const runs = new Map<string, Map<string, string[]>>();
  for (const key of keys) {
    const parsed = parseRunKey(key);
    if (parsed === undefined) continue;
    const byRun = runs.get(parsed.expId) ?? new Map<string, string[]>();
    byRun.set(parsed.runId, [...(byRun.get(parsed.runId) ?? []), parsed.keyInRun]);
    runs.set(parsed.expId, byRun);
  }
  return runs;
}

async function describeRun(
  storage: Storage,
  expId: string,
  runId: string,
  keys: readonly string[],
): Promise<RunListing> {
  const results = keys.filter((k) => k.startsWith(`${RUN_DIRS.runner}/result_`)).length;
  const outputs = outputFolders(keys).finished.length;
  const hasManifest = keys.includes(`${RUN_DIRS.builder}/manifest.json`);
  const numTasks = hasManifest
    ? await readManifest(storage, new RunLayout(expId, runId)).then(
        (m) => m.numTasks,
        () => undefined,
      )
    : undefined;
  const state: RunListing['state'] =
    outputs > 0
      ? 'complete'
      : numTasks !== undefined && results >= numTasks
        ? 'results ready'
        : hasManifest
          ? 'built'
          : 'started';
  const record = keys.includes('run.json')
    ? await glance(storage, new RunLayout(expId, runId))
    : undefined;
  return { runId, state, numTasks, results, outputs, ...(record ? { record } : {}) };
}

/**
 * Experiments (the configured ones and every one with runs in storage) and
 * their runs, newest run id first (default run ids start with their UTC stamp).
 */
export async function listExperiments(
  storage: Storage,
  configured: readonly string[],
): Promise<ExperimentListing[]> {
  const runs = groupRuns(await storage.list(''));
  const ids = [...new Set([...configured, ...runs.keys()])].sort();
  return Promise.all(
    ids.map(async (expId) => {
      const byRun = [...(runs.get(expId) ?? new Map<string, string[]>())].sort(([a], [b]) =>
        b.localeCompare(a),
      );
      const described = await Promise.all(
        byRun.map(([runId, keys]) => describeRun(storage, expId, runId, keys)),
      );
      return { expId, hasConfig: configured.includes(expId), runs: described };
    }),
  );
}
