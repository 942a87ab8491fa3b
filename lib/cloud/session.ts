import { createAwsClients, type AwsClients, type AwsTarget } from './clients.js';
import { resolveDeployment, type Deployment } from './deployment.js';

/** AWS clients and the deployment, resolved once on first use. */
export interface CloudSession {
  readonly clients: AwsClients;
  deployment(): Promise<Deployment>;
}

/** A session for a region/profile and stack prefix; `clients` are injected in tests. */
export function cloudSession(
  target: AwsTarget,
  stackPrefix?: string,
  clients: AwsClients = createAwsClients(target),
): CloudSession {
  let deployment: Promise<Deployment> | undefined;
  return {
    clients,
    deployment: () => (deployment ??= resolveDeployment(clients.cloudFormation, { stackPrefix })),
  };
}
