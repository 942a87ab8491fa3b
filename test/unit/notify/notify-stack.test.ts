import { App, Stack } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../lib/config/load.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { NOTIFY_CONFIG_VAR, notifyConfigSchema } from '../../../lib/notify/lambda-config.js';
import { MonitoringStack } from '../../../lib/stacks/monitoring-stack.js';
import {
  actionsOf,
  nagFindings,
  policyStatements,
  resourcesOf,
  SYNTH_TIMEOUT,
  synthFixture,
  type SynthFixture,
} from '../stacks/support.js';

/** What an operator would paste by mistake: a URL that must never reach a template. */
const WEBHOOK_URL = 'https://hooks.slack.com/services/T000/B000/secretpart';
const SLACK_SECRET = 'epycloud/slack-webhook';
const WEBHOOK_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:epycloud/webhook-AbCdEf';
const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const withNotifications = (notifications: Record<string, unknown>) => ({
  'epycloud:environments': { dev: { notifications } },
});

describe('MonitoringStack: the NotifyRun lambda', () => {
  let configured: SynthFixture;
  let plain: SynthFixture;
  beforeAll(() => {
    configured = synthFixture(
      withNotifications({
        slackWebhookSecret: SLACK_SECRET,
        webhookSecret: WEBHOOK_SECRET_ARN,
        secretsKmsKeyArn: KMS_KEY_ARN,
      }),
    );
    plain = synthFixture();
  }, SYNTH_TIMEOUT);
  afterAll(() => {
    for (const f of [configured, plain]) rmSync(f.app.outdir, { recursive: true, force: true });
  });

  const notifyFunctions = (f: SynthFixture) =>
    resourcesOf(f, 'AWS::Lambda::Function').filter((r) => r.id.startsWith('NotifyRun'));

  it('is not created without a webhook secret', () => {
    expect(notifyFunctions(plain)).toEqual([]);
    expect(plain.stacks.monitoring.notifyFunction).toBeUndefined();
  });

  it('is a target of the execution status change rule, and runs once per event', () => {
    const [fn] = notifyFunctions(configured);
    expect(fn?.stackName).toBe(configured.stacks.monitoring.stackName);
    const rule = resourcesOf(configured, 'AWS::Events::Rule').find((r) =>
      JSON.stringify(r.Properties.EventPattern).includes('aws.states'),
    );
    const targetArns = JSON.stringify(
      (rule?.Properties.Targets as { Arn: unknown }[]).map((t) => t.Arn),
    );
    expect(targetArns).toContain(fn!.id);
    expect(resourcesOf(configured, 'AWS::Lambda::EventInvokeConfig')).toMatchObject([
      { Properties: { MaximumRetryAttempts: 0 } },
    ]);
  });

  it('gets the secrets by name or ARN in its config, never a URL', () => {
    const [fn] = notifyFunctions(configured);
    const env = (fn!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const text = JSON.stringify(env[NOTIFY_CONFIG_VAR]);
    expect(text).toContain(SLACK_SECRET);
    expect(text).toContain(WEBHOOK_SECRET_ARN);
    expect(Object.keys(env)).toEqual([NOTIFY_CONFIG_VAR]);
    expect(JSON.stringify(configured.templates)).not.toMatch(
      /hooks\.slack\.com|https:\/\/[^"]*hook/,
    );
  });

  it('may read the two secrets, nothing more (the event carries the execution)', () => {
    const statements = policyStatements(configured.template('monitoring')).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('secretsmanager:') || a.startsWith('states:')),
    );
    const secrets = statements.filter((s) =>
      actionsOf(s).includes('secretsmanager:GetSecretValue'),
    );
    expect(secrets.map(actionsOf)).toEqual([['secretsmanager:GetSecretValue']]);
    const resources = JSON.stringify(secrets[0]!.Resource);
    expect(resources).toContain(WEBHOOK_SECRET_ARN);
    expect(resources).toContain(`:secret:${SLACK_SECRET}-??????`);
    expect((secrets[0]!.Resource as unknown[]).length).toBe(2);
    expect(statements).toHaveLength(1);
    const role = JSON.stringify(
      resourcesOf(configured, 'AWS::IAM::Policy').filter((p) => p.id.startsWith('NotifyRun')),
    );
    expect(role).not.toMatch(/"\*"/);
  });

  it("decrypts with the secrets' own KMS key only through Secrets Manager", () => {
    const decrypt = policyStatements(configured.template('monitoring')).filter((s) =>
      actionsOf(s).includes('kms:Decrypt'),
    ) as unknown as { Resource: unknown; Condition?: Record<string, Record<string, unknown>> }[];
    const own = decrypt.filter((s) => s.Resource === KMS_KEY_ARN);
    expect(own).toHaveLength(1);
    expect(JSON.stringify(own[0]!.Condition?.StringEquals?.['kms:ViaService'])).toContain(
      'secretsmanager.',
    );
  });

  it('links runs in the data bucket when given one', () => {
    const context = withNotifications({ webhookSecret: SLACK_SECRET });
    const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const config = loadDeploymentConfig((key) => app.node.tryGetContext(key));
    const refs = new Stack(app, 'Refs');
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:sm';
    const stack = new MonitoringStack(app, 'Monitoring', {
      config,
      stateMachine: sfn.StateMachine.fromStateMachineArn(refs, 'Sm', arn),
      jobQueue: batch.JobQueue.fromJobQueueArn(
        refs,
        'Queue',
        'arn:aws:batch:us-east-1:123456789012:job-queue/q',
      ),
      bucket: s3.Bucket.fromBucketName(refs, 'Bucket', 'data-bucket'),
      projectRoot: PROJECT_ROOT,
    });
    const fn = stack.notifyFunction!.node.defaultChild as { environment?: unknown };
    const variables = stack.resolve(fn.environment) as { variables: Record<string, string> };
    expect(
      notifyConfigSchema.parse(JSON.parse(variables.variables[NOTIFY_CONFIG_VAR] ?? '')),
    ).toEqual({ webhookSecret: SLACK_SECRET, bucket: 'data-bucket' });
  });

  it('refuses a webhook URL where a secret belongs', () => {
    expect(() => synthFixture(withNotifications({ webhookSecret: WEBHOOK_URL }))).toThrow(
      /notifications\.webhookSecret: expected a Secrets Manager secret name/,
    );
  });

  it('keeps cdk-nag clean', () => {
    expect(nagFindings(configured)).toEqual([]);
  });
});
