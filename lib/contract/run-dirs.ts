/** The folders of one run, relative to the run prefix. */
export const RUN_DIRS = {
  experiment: 'experiment',
  builder: 'builder-artifacts',
  runner: 'runner-artifacts',
  outputs: 'outputs',
  summaries: 'summaries',
  progress: 'progress',
  logs: 'logs',
} as const;

/**
 * The key segment between an experiment id and its run ids:
 * `{dirPrefix}{expId}/runs/{runId}/`. No experiment id may have it as a
 * segment, so no experiment's keys can ever fall under another's run.
 */
export const RUNS_SEGMENT = 'runs';
