import { z } from 'zod';

/** Environment variable holding the NotifyRun lambda's configuration as JSON. */
export const NOTIFY_CONFIG_VAR = 'EPYCLOUD_NOTIFY_CONFIG';

/**
 * The deployment facts the NotifyRun lambda gets from its environment: the Secrets Manager secrets
 * (names or ARNs, never their values) holding the webhook URLs, and the data bucket for links.
 */
export const notifyConfigSchema = z
  .object({
    webhookSecret: z.string().min(1).optional(),
    slackWebhookSecret: z.string().min(1).optional(),
    bucket: z.string().min(1).optional(),
  })
  .refine((c) => c.webhookSecret !== undefined || c.slackWebhookSecret !== undefined, {
    message: 'expected webhookSecret and/or slackWebhookSecret',
  });

/** Parsed NotifyRun configuration. */
export type NotifyConfig = z.infer<typeof notifyConfigSchema>;
