import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ConfigError, TransientError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { NotifyConfig } from '../../lib/notify/lambda-config.js';
import type { PostOptions } from '../../lib/notify/post.js';
import {
  postToTargets,
  type FailedNotification,
  type NotifyTargets,
  type PostWebhook,
} from '../../lib/notify/targets.js';
import { ENDED_STATUSES, executionSummary, type ExecutionFacts } from './execution-summary.js';

/** What the NotifyRun lambda needs from the outside world; tests pass their own clients. */
export interface NotifyRunDeps {
  readonly config: NotifyConfig;
  readonly secrets: SecretsManagerClient;
  readonly log: Logger;
  readonly post?: PostWebhook;
  readonly options?: PostOptions;
}

/** The detail of an EventBridge "Step Functions Execution Status Change" event. */
const eventSchema = z.object({
  detail: z.object({
    executionArn: z.string().min(1),
    name: z.string().min(1),
    status: z.enum(ENDED_STATUSES),
    startDate: z.number().nullish(),
    stopDate: z.number().nullish(),
    input: z.string().nullish(),
    output: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/**
 * The execution's facts, all from its event: EventBridge carries the input and output up to
 * 248 KiB, and a run's are a few KiB (ids, options, Batch job ids). Were they left out, the
 * summary would name the run by its execution name.
 */
function executionFacts(event: unknown): ExecutionFacts {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success)
    throw new ValidationError(
      `Not a Step Functions execution status change of an ended execution: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const d = parsed.data.detail;
  return {
    executionArn: d.executionArn,
    name: d.name,
    status: d.status,
    startMs: orUndefined(d.startDate),
    stopMs: orUndefined(d.stopDate),
    input: orUndefined(d.input),
    output: orUndefined(d.output),
    error: orUndefined(d.error),
    cause: orUndefined(d.cause),
  };
}

/** A webhook URL kept in Secrets Manager (the secret's text). The errors name the secret, never its value. */
async function secretUrl(client: SecretsManagerClient, secretId: string): Promise<string> {
  try {
    const found = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const url = found.SecretString?.trim() ?? '';
    if (!URL.canParse(url))
      throw new ConfigError(
        `Secret ${secretId} does not hold a webhook URL: store the URL alone as the secret's text`,
      );
    return url;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    throw new ConfigError(
      `Secret ${secretId} not found: create it (docs/NOTIFY.md) or fix notifications in the deployment config`,
    );
  }
}

/** The targets whose secrets could be read, and the failures of those that could not. */
async function readTargets(
  deps: NotifyRunDeps,
): Promise<{ targets: NotifyTargets; failed: FailedNotification[] }> {
  const ids = {
    webhook: deps.config.webhookSecret,
    slackWebhook: deps.config.slackWebhookSecret,
  };
  const targets: Record<string, string> = {};
  const failed: FailedNotification[] = [];
  for (const [target, secretId] of Object.entries(ids)) {
    if (secretId === undefined) continue;
    try {
      targets[target] = await secretUrl(deps.secrets, secretId);
    } catch (error) {
      failed.push({ origin: `secret ${secretId}`, error: error as Error });
    }
  }
  return { targets, failed };
}

/**
 * Announces a finished execution to the deployment's webhooks: builds the run's summary, reads
 * each webhook URL from its secret, posts to every one. Throws when any notification failed,
 * after trying the others, naming only the targets' scheme and host or the secret.
 */
export async function notifyExecutionEnd(
  event: unknown,
  deps: NotifyRunDeps,
): Promise<{ readonly delivered: number }> {
  const summary = executionSummary(executionFacts(event), deps.config.bucket);
  const { targets, failed } = await readTargets(deps);
  failed.push(...(await postToTargets(targets, summary, deps.post, deps.options)));
  const attempted = Object.keys(targets).length;
  for (const f of failed)
    deps.log.error('run-end notification not delivered', { to: f.origin, error: f.error.message });
  if (failed.length > 0)
    throw new TransientError(
      `${failed.length} run-end notification(s) of ${summary.expId} / ${summary.runId} not delivered: ${failed.map((f) => f.error.message).join('; ')}`,
    );
  deps.log.info('run-end notifications delivered', { state: summary.state, count: attempted });
  return { delivered: attempted };
}
