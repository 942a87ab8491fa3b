import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NotificationsConfig } from '../config/schema.js';
import { NOTIFY_CONFIG_VAR, type NotifyConfig } from '../notify/lambda-config.js';

/** Props of {@link RunNotifier}. */
export interface RunNotifierProps {
  /** The secrets holding the webhook URLs (at least one), and their KMS key if not the default. */
  readonly notifications: NotificationsConfig;
  /** The data bucket, for links to a run's outputs; without it the notifications carry none. */
  readonly bucket?: s3.IBucket | undefined;
  /** Repository root: the lambda's entry and the lock file it is bundled against. */
  readonly projectRoot: string;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The NotifyRun lambda (`lambdas/notify-run/`): given an execution status-change event, it reads
 * the webhook URLs from Secrets Manager and posts the run's summary. Only the secrets' names or
 * ARNs reach the template; its role may read those secrets (and decrypt them through Secrets
 * Manager with their own KMS key), nothing else. Bundled like the pipeline's lambdas.
 */
export class RunNotifier extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: RunNotifierProps) {
    super(scope, id);
    const { webhookSecret, slackWebhookSecret } = props.notifications;
    const config: NotifyConfig = {
      webhookSecret,
      slackWebhookSecret,
      bucket: props.bucket?.bucketName,
    };
    const root = props.projectRoot;
    const shrinkwrap = join(root, 'npm-shrinkwrap.json');
    this.function = new NodejsFunction(this, 'Function', {
      description: 'epycloud run ended: post its summary to the configured webhooks',
      entry: join(root, 'lambdas', 'notify-run', 'handler.ts'),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: existsSync(shrinkwrap) ? shrinkwrap : join(root, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(60),
      // Posts are retried inside; a second invocation would repeat the ones that arrived.
      retryAttempts: 0,
      environment: { [NOTIFY_CONFIG_VAR]: Stack.of(this).toJsonString(config) },
      logGroup: new logs.LogGroup(this, 'Logs', {
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      }),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: false,
        forceDockerBundling: false,
        mainFields: ['module', 'main'],
      },
    });
    this.grantSecrets(props.notifications);
  }

  /** GetSecretValue on the configured secrets only; kms:Decrypt through Secrets Manager with their own key. */
  private grantSecrets(notifications: NotificationsConfig): void {
    const { webhookSecret, slackWebhookSecret, secretsKmsKeyArn } = notifications;
    const secrets = [webhookSecret, slackWebhookSecret].filter((s) => s !== undefined);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: secrets.map((s) => this.secretArn(s)),
      }),
    );
    if (secretsKmsKeyArn === undefined) return;
    const region = Stack.of(this).region;
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [secretsKmsKeyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
        },
      }),
    );
  }

  /** A secret's ARN: as given, or its name and the 6 random characters Secrets Manager appends. */
  private secretArn(id: string): string {
    if (id.startsWith('arn:')) return id;
    return Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${id}-??????`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
