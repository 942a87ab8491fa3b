import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../lib/errors.js';
import { jsonLogger } from '../../lib/log.js';
import {
  NOTIFY_CONFIG_VAR,
  notifyConfigSchema,
  type NotifyConfig,
} from '../../lib/notify/lambda-config.js';
import { reportErrors } from '../shared/handler-errors.js';
import { notifyExecutionEnd } from './notify-execution.js';

function loadConfig(): NotifyConfig {
  const parsed = notifyConfigSchema.safeParse(JSON.parse(process.env[NOTIFY_CONFIG_VAR] ?? '{}'));
  if (!parsed.success)
    throw new ConfigError(
      `Invalid ${NOTIFY_CONFIG_VAR}`,
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  return parsed.data;
}

const secrets = new SecretsManagerClient({});

/** Lambda entrypoint of the NotifyRun function: event = an execution status change from EventBridge. */
export async function handler(event: unknown): Promise<{ readonly delivered: number }> {
  return reportErrors(() =>
    notifyExecutionEnd(event, {
      config: loadConfig(),
      secrets,
      log: jsonLogger({ stage: 'notify-run' }),
    }),
  );
}
