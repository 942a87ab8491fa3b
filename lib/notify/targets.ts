import { DEFAULT_POST_OPTIONS, postWebhook, webhookOrigin, type PostOptions } from './post.js';
import { slackPayload } from './slack.js';
import type { RunSummary } from './summary.js';
import { webhookPayload } from './webhook.js';

/** Where a run's end is announced: a generic webhook and/or a Slack incoming webhook (URLs are secrets). */
export interface NotifyTargets {
  readonly webhook?: string | undefined;
  readonly slackWebhook?: string | undefined;
}

/** Posts a payload to a URL; {@link postWebhook} unless a test passes its own. */
export type PostWebhook = (url: string, payload: unknown, options: PostOptions) => Promise<void>;

/** A notification that did not arrive: the target's scheme and host, and why. */
export interface FailedNotification {
  readonly origin: string;
  readonly error: Error;
}

/** Whether any target is set. */
export const hasTargets = (targets: NotifyTargets): boolean =>
  Boolean(targets.webhook || targets.slackWebhook);

/**
 * Posts the summary to every target at once: the generic payload to `webhook`, the Slack one to
 * `slackWebhook`. Resolves to the notifications that failed (none thrown).
 */
export async function postToTargets(
  targets: NotifyTargets,
  summary: RunSummary,
  post: PostWebhook = postWebhook,
  options: PostOptions = DEFAULT_POST_OPTIONS,
): Promise<FailedNotification[]> {
  const sends = [
    ...(targets.webhook ? [{ url: targets.webhook, payload: webhookPayload(summary) }] : []),
    ...(targets.slackWebhook
      ? [{ url: targets.slackWebhook, payload: slackPayload(summary) }]
      : []),
  ];
  const outcomes = await Promise.all(
    sends.map(({ url, payload }) =>
      Promise.resolve()
        .then(() => post(url, payload, options))
        .then(
          () => undefined,
          (error: unknown) => ({ origin: webhookOrigin(url), error: error as Error }),
        ),
    ),
  );
  return outcomes.filter((o): o is FailedNotification => o !== undefined);
}

/** What {@link notifyRunEnd} needs from the outside world. */
export interface NotifyDeps {
  /** Where warnings go (the CLI's stderr). */
  readonly warn: (text: string) => void;
  readonly post?: PostWebhook;
  readonly options?: PostOptions;
}

/**
 * Announces a local run's end to the configured targets. Never throws: a notification that
 * failed is a warning naming the target's scheme and host, and the run's outcome stands.
 */
export async function notifyRunEnd(
  targets: NotifyTargets,
  summary: RunSummary,
  deps: NotifyDeps,
): Promise<void> {
  const failed = await postToTargets(targets, summary, deps.post, deps.options);
  for (const f of failed)
    deps.warn(`epycloud: warning: run-end notification not delivered: ${f.error.message}\n`);
}
