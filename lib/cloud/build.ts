import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { EnvironmentError } from '../errors.js';
import type { CommandRunner } from '../host/command-runner.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';

/** What `build cloud` builds. */
export interface CloudBuildRequest {
  readonly tag: string;
  readonly dockerfile?: string;
  readonly context?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
}

/** The image that was pushed. */
export interface CloudBuildResult {
  readonly imageUri: string;
  readonly tag: string;
}

/** Logs docker in to the registry with an ECR authorization token (`AWS:<password>`, base64). */
async function dockerLogin(clients: AwsClients, run: CommandRunner): Promise<void> {
  const response = await clients.ecr.send(new GetAuthorizationTokenCommand({}));
  const data = response.authorizationData?.[0];
  if (data?.authorizationToken === undefined || data.proxyEndpoint === undefined) {
    throw new EnvironmentError(
      'ECR returned no authorization token: check your credentials (ecr:GetAuthorizationToken)',
    );
  }
  const [user, password] = Buffer.from(data.authorizationToken, 'base64')
    .toString('utf8')
    .split(':');
  if (user === undefined || password === undefined)
    throw new EnvironmentError('ECR returned a malformed authorization token');
  await run('docker', ['login', '--username', user, '--password-stdin', data.proxyEndpoint], {
    input: password,
  });
}

/** Builds `docker/Dockerfile` target `cloud` and pushes it to the stack's ECR repository under the tag. */
export async function buildCloudImage(
  clients: AwsClients,
  deployment: Deployment,
  request: CloudBuildRequest,
  run: CommandRunner,
): Promise<CloudBuildResult> {
  const imageUri = `${deployment.repositoryUri}:${request.tag}`;
  const buildArgs = Object.entries(request.buildArgs ?? {}).flatMap(([k, v]) => [
    '--build-arg',
    `${k}=${v}`,
  ]);
  await run('docker', [
    'build',
    '--target',
    'cloud',
    '-f',
    request.dockerfile ?? 'docker/Dockerfile',
    '-t',
    imageUri,
    ...buildArgs,
    request.context ?? '.',
  ]);
  await dockerLogin(clients, run);
  await run('docker', ['push', imageUri]);
  return { imageUri, tag: request.tag };
}
