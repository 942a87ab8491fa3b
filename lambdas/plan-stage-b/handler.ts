import type { PlanStageBEvent, PlanStageBResult } from '../../lib/contract/pipeline.js';
import { RunLayout } from '../../lib/contract/layout.js';
import { objectTagsFor } from '../../lib/contract/retention.js';
import { EnvironmentError } from '../../lib/errors.js';
import { storageFor } from '../../lib/storage/index.js';
import { reportErrors } from '../shared/handler-errors.js';
import { planRun } from './plan.js';
import { PLAN_BUCKET_VAR } from '../../lib/contract/lambda-config.js';

const runLayoutOf = (run: PlanStageBEvent['run']): RunLayout =>
  new RunLayout(run.expId, run.runId, run.dirPrefix);

/** Lambda entrypoint of the `PlanStageB` state: event = `{ run }`. */
export async function handler(event: PlanStageBEvent): Promise<PlanStageBResult> {
  return reportErrors(() => {
    const bucket = process.env[PLAN_BUCKET_VAR];
    if (bucket === undefined || bucket === '')
      throw new EnvironmentError(
        `${PLAN_BUCKET_VAR} is not set: the lambda needs the data bucket's name`,
      );
    // a retry's task map is an intermediate artifact: tagged so the lifecycle rule expires it
    const storage = storageFor({ mode: 'cloud', bucket }, process.env, undefined, {
      tagsFor: (key) => objectTagsFor(runLayoutOf(event.run), key),
    });
    return planRun(event, { storage, bucket });
  });
}
