import { S3Driver, Storage } from '../storage/index.js';
import { createAwsClients, type AwsClients, type AwsTarget } from './clients.js';
import { resolveDeployment, type Deployment } from './deployment.js';

/** AWS clients and the deployment, resolved once on first use. */
export interface CloudSession {
  readonly clients: AwsClients;
  deployment(): Promise<Deployment>;
  /** The deployment's bucket as a Storage. */
  storage(): Promise<Storage>;
}

/** The ONE Storage over a deployment's bucket. */
export function bucketStorage(clients: AwsClients, deployment: Deployment): Storage {
  return new Storage(new S3Driver(clients.s3, deployment.bucketName));
}

/** A session for a region/profile and stack prefix; `clients` are injected in tests. */
export function cloudSession(
  target: AwsTarget,
  stackPrefix?: string,
  clients: AwsClients = createAwsClients(target),
): CloudSession {
  let deployment: Promise<Deployment> | undefined;
  const deployed = (): Promise<Deployment> =>
    (deployment ??= resolveDeployment(clients.cloudFormation, { stackPrefix }));
  return {
    clients,
    deployment: deployed,
    storage: async () => bucketStorage(clients, await deployed()),
  };
}
