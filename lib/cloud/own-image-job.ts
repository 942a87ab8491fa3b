import { RunLayout } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import { readRunStageImage } from '../experiment/stage-image.js';
import type { Storage } from '../storage/index.js';
import type { StageJobRequest } from './run-job.js';

/**
 * Refuses one cloud job of a run whose experiment runs in its own stage image
 * (a `stages:` config in its snapshot): a job is submitted to the deployed job
 * definitions, which run the built-in image, and Batch cannot change a job's
 * image at submission. A run without a snapshot is let through (its stage
 * says so); a snapshot that cannot be read stops the job with its error.
 */
export async function refuseOwnImageJob(storage: Storage, request: StageJobRequest): Promise<void> {
  const layout = new RunLayout(request.expId, request.runId, request.dirPrefix ?? '');
  const declared = await readRunStageImage(storage, layout);
  if (declared === undefined) return;
  throw new ValidationError(
    `Run ${request.runId} of ${request.expId} runs in its own stage image ${declared.image} (its stages: config); ` +
      "a single cloud job would run the deployed image instead (Batch cannot change a job's image). " +
      'Rerun what is missing with `epycloud workflow retry <execution>`: the run keeps its image and its results',
  );
}
