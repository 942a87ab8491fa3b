import { BatchClient } from '@aws-sdk/client-batch';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { S3_LIMITS, s3RequestHandler } from '../storage/index.js';

/** The AWS SDK clients the cloud back end uses; tests inject mocked ones. */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly sfn: SFNClient;
  readonly batch: BatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly s3: S3Client;
  readonly ecr: ECRClient;
}

/** Where the clients connect: region and shared-config profile; both default to the SDK's chain. */
export interface AwsTarget {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

/**
 * Creates every client with the standard credential chain (environment,
 * shared config and SSO, container and instance roles), honouring an
 * explicit `--region` and `--profile`. S3 requests get the stages' time limits and adaptive retries.
 */
export function createAwsClients(target: AwsTarget = {}): AwsClients {
  const config = {
    ...(target.region ? { region: target.region } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
  };
  return {
    cloudFormation: new CloudFormationClient(config),
    sfn: new SFNClient(config),
    batch: new BatchClient(config),
    logs: new CloudWatchLogsClient(config),
    s3: new S3Client({
      ...config,
      requestHandler: s3RequestHandler(),
      maxAttempts: S3_LIMITS.maxAttempts,
      retryMode: 'adaptive',
    }),
    ecr: new ECRClient(config),
  };
}
