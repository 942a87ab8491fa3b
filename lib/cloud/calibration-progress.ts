import { calibrationProgressSchema } from '../contract/calibration-progress.js';
import { indexFromName, RunLayout } from '../contract/layout.js';
import type { Storage } from '../storage/index.js';
import { bucketStorage } from './session.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';
import type { CalibrationSample, RunProgress } from './run-progress.js';

/** Most progress objects read per poll, however many tasks calibrate. */
export const PROGRESS_READS_MAX = 20;

/**
 * Reads where the run's calibrating tasks stand: lists the progress and the
 * results prefixes (one request per 1,000 keys each), then reads at most
 * `max` progress objects of tasks without a result. An unreadable object is skipped.
 */
async function readCalibration(
  storage: Storage,
  layout: RunLayout,
  max = PROGRESS_READS_MAX,
): Promise<CalibrationSample> {
  const [progressKeys, resultKeys] = await Promise.all([
    storage.list(layout.progressPrefix),
    storage.list(layout.resultsPrefix),
  ]);
  const finished = new Set(resultKeys.map((key) => indexFromName(key, 'result')));
  const open = progressKeys.filter((key) => !finished.has(indexFromName(key, 'task')));
  const step = open.length / Math.min(max, open.length);
  const picked = Array.from(
    { length: Math.min(max, open.length) },
    (_, i) => open[Math.floor(i * step)]!,
  );
  const read = await Promise.all(
    picked.map((key) =>
      storage.getJson(key).then(
        (value) => calibrationProgressSchema.safeParse(value).data,
        () => undefined,
      ),
    ),
  );
  return { tasks: open.length, progress: read.filter((p) => p !== undefined) };
}

/**
 * Adds the calibration of Stage B's tasks to a run's progress, only while
 * the execution runs and Stage B has tasks running. Progress is advisory: when
 * S3 cannot be read, the run's progress comes back without it.
 */
export async function withCalibration(
  clients: AwsClients,
  deployment: Deployment,
  progress: RunProgress,
): Promise<RunProgress> {
  const { expId, runId, dirPrefix, status } = progress.execution;
  if (
    status !== 'RUNNING' ||
    progress.stages.runner.running === 0 ||
    expId === undefined ||
    runId === undefined
  )
    return progress;
  const storage = bucketStorage(clients, deployment);
  const calibration = await readCalibration(
    storage,
    new RunLayout(expId, runId, dirPrefix ?? ''),
  ).catch(() => undefined);
  return calibration === undefined ? progress : { ...progress, calibration };
}
