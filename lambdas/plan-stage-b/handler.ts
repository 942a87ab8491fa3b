import type { PlanStageBEvent, PlanStageBResult } from '../../lib/contract/pipeline.js';
import { EnvironmentError } from '../../lib/errors.js';
import { storageFor } from '../../lib/storage/index.js';
import { reportErrors } from '../shared/handler-errors.js';
import { planRun } from './plan.js';
import { PLAN_BUCKET_VAR } from '../../lib/contract/lambda-config.js';

/** Lambda entrypoint of the `PlanStageB` state: event = `{ run }`. */
export async function handler(event: PlanStageBEvent): Promise<PlanStageBResult> {
  return reportErrors(() => {
    const bucket = process.env[PLAN_BUCKET_VAR];
    if (bucket === undefined || bucket === '')
      throw new EnvironmentError(
        `${PLAN_BUCKET_VAR} is not set: the lambda needs the data bucket's name`,
      );
    return planRun(event, { storage: storageFor({ mode: 'cloud', bucket }, process.env), bucket });
  });
}
