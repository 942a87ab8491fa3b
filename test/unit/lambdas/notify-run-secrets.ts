import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  type GetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** A stored secret: its name, the ARN Secrets Manager gave it (name + 6 random characters), its text. */
interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  readonly text: string;
}

/**
 * Secrets Manager's GetSecretValue as the service answers it, for the secrets `stored` (name ->
 * text): a secret is found by its name, its full ARN or its ARN without the random suffix;
 * anything else is a ResourceNotFoundException. Returns the ARNs by name.
 */
export function fakeSecretsManager(stored: Record<string, string>): {
  readonly client: SecretsManagerClient;
  readonly arnOf: (name: string) => string;
  readonly requests: () => GetSecretValueCommandInput[];
  readonly restore: () => void;
} {
  const secrets: StoredSecret[] = Object.entries(stored).map(([name, text], i) => ({
    name,
    arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Ab${String(i).padStart(4, '0')}`,
    text,
  }));
  const mock = mockClient(SecretsManagerClient);
  mock.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => {
    const id = input.SecretId ?? '';
    const found = secrets.find((s) => s.name === id || s.arn === id || s.arn.slice(0, -7) === id);
    if (found === undefined)
      throw new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      });
    return { ARN: found.arn, Name: found.name, SecretString: found.text, VersionId: 'v1' };
  });
  return {
    client: new SecretsManagerClient({ region: REGION }),
    arnOf: (name) => secrets.find((s) => s.name === name)?.arn ?? '',
    requests: () => mock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input),
    restore: () => mock.restore(),
  };
}
