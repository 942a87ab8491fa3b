import type { WorkflowResult } from './types.js';

/** What every back end states about a run; the rest has defaults. */
type RunFacts = Pick<
  WorkflowResult,
  'status' | 'backend' | 'runtime' | 'expId' | 'runId' | 'numTasks'
> &
  Partial<WorkflowResult>;

/** The one shape of a run's summary: nothing timed, no failed or retried task, unless the facts say so. */
export function workflowResult(facts: RunFacts): WorkflowResult {
  return { durationsMs: {}, totalMs: 0, failedTasks: [], retriedTasks: [], ...facts };
}
