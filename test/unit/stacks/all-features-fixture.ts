import { REHEARSAL_ACCOUNT } from '../../../lib/rehearsal/intrinsics.js';
import { synthFixture, type SynthFixture } from './support.js';

/**
 * dev with every optional role of the app: run-end notifications (one secret
 * by name, one by ARN, their own KMS key, all in the deployment's account) and
 * a data-arrival trigger. Call in a beforeAll with SYNTH_TIMEOUT.
 */
export function synthAllFeaturesFixture(): SynthFixture {
  return synthFixture({
    'epycloud:environments': {
      dev: {
        notifications: {
          webhookSecret: 'epycloud/webhook',
          slackWebhookSecret: `arn:aws:secretsmanager:us-east-1:${REHEARSAL_ACCOUNT}:secret:epycloud/slack-AbCdEf`,
          secretsKmsKeyArn: `arn:aws:kms:us-east-1:${REHEARSAL_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        },
        dataTriggers: [
          { prefix: 'surveillance/nhsn/', suffix: '.csv', schedule: 'flu-weekly', expId: 'flu/a' },
        ],
      },
    },
  });
}
