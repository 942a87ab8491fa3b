import type { RunSummary } from './summary.js';

/** The event name of a generic webhook's payload. */
export const RUN_ENDED_EVENT = 'epycloud.run.ended';

/** The JSON a generic webhook receives when a run ends (docs/NOTIFY.md). */
export interface WebhookPayload {
  readonly event: typeof RUN_ENDED_EVENT;
  /** Bumped when a field changes meaning or goes away; new fields may appear in any version. */
  readonly version: 1;
  readonly run: RunSummary;
}

/** The generic webhook payload of a run's end: the summary as it is, under a versioned event name. */
export function webhookPayload(summary: RunSummary): WebhookPayload {
  return { event: RUN_ENDED_EVENT, version: 1, run: summary };
}
