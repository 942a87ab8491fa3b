import { RunLayout } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import { readStageImage } from '../experiment/stage-image.js';
import { readVerifiedSnapshot } from '../run/experiment-snapshot.js';
import type { Storage } from '../storage/index.js';
import type { StageJobRequest } from './run-job.js';

/**
 * Refuses one cloud job of a run whose experiment runs in its own stage image
 * (a `stages:` config in its snapshot): a job is submitted to the deployed job
 * definitions, which run the built-in image, and Batch cannot change a job's
 * image at submission. A run without a readable snapshot is let through (its
 * stage says what is wrong).
 */
export async function refuseOwnImageJob(storage: Storage, request: StageJobRequest): Promise<void> {
  const layout = new RunLayout(request.expId, request.runId, request.dirPrefix ?? '');
  const snapshot = await readVerifiedSnapshot(storage, layout).catch(() => undefined);
  const declared = snapshot === undefined ? undefined : readStageImage(snapshot);
  if (declared === undefined) return;
  throw new ValidationError(
    `Run ${request.runId} of ${request.expId} runs in its own stage image ${declared.image} (its stages: config); ` +
      'a single cloud job would run the deployed image instead. Rerun what is missing with ' +
      '`epycloud workflow retry <execution>` (the run keeps its image), or run the job here: ' +
      `epycloud run job --local --exp-id ${request.expId} --run-id ${request.runId} --stage ${request.stage}`,
  );
}
