import {
  paginateDescribeStacks,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { STACK_OUTPUTS } from '../contract/execution.js';
import type { StageName } from '../contract/layout.js';
import { ConfigError, EnvironmentError } from '../errors.js';

/** The deployed resources a cloud run uses, read from the stacks' CloudFormation outputs. */
export interface Deployment {
  readonly region: string;
  readonly bucketName: string;
  readonly stateMachineArn: string;
  readonly jobQueueArn: string;
  readonly logGroupName: string;
  readonly repositoryUri: string;
  readonly jobDefinitions: Readonly<Record<StageName, string>>;
  /** The schedule group and the role schedules start executions with; absent from deployments older than schedules. */
  readonly schedules?: { readonly groupName: string; readonly roleArn: string } | undefined;
}

/** Which stacks to read: every stack whose name starts with the prefix (default `Epycloud`). */
export interface DeploymentQuery {
  readonly stackPrefix?: string | undefined;
}

/** Default stack-name prefix of the CDK app's stacks. */
const DEFAULT_STACK_PREFIX = 'Epycloud';

const LIVE_STATUS = /_COMPLETE$/;

function collectOutputs(stacks: readonly Stack[]): {
  outputs: Map<string, string>;
  problems: string[];
} {
  const outputs = new Map<string, string>();
  const problems: string[] = [];
  for (const stack of stacks) {
    for (const output of stack.Outputs ?? []) {
      if (output.OutputKey === undefined || output.OutputValue === undefined) continue;
      const seen = outputs.get(output.OutputKey);
      if (seen !== undefined && seen !== output.OutputValue) {
        problems.push(
          `output ${output.OutputKey} has two values ("${seen}" and "${output.OutputValue}" in ${stack.StackName}): pass --stack-prefix to pick one deployment`,
        );
      }
      outputs.set(output.OutputKey, output.OutputValue);
    }
  }
  return { outputs, problems };
}

async function listStacks(client: CloudFormationClient, prefix: string): Promise<Stack[]> {
  const stacks: Stack[] = [];
  try {
    for await (const page of paginateDescribeStacks({ client }, {})) {
      for (const stack of page.Stacks ?? []) {
        if (
          stack.StackName?.startsWith(prefix) &&
          LIVE_STATUS.test(stack.StackStatus ?? '') &&
          !stack.StackStatus?.startsWith('DELETE')
        ) {
          stacks.push(stack);
        }
      }
    }
  } catch (error) {
    throw new EnvironmentError(
      `Could not read CloudFormation stacks: ${(error as Error).name}: ${(error as Error).message}. Check --region/--profile and your AWS credentials.`,
    );
  }
  return stacks;
}

/** The schedule outputs when the deployment has both (they are optional: older deployments lack them). */
function scheduleOutputs(outputs: ReadonlyMap<string, string>): Deployment['schedules'] {
  const groupName = outputs.get(STACK_OUTPUTS.scheduleGroupName);
  const roleArn = outputs.get(STACK_OUTPUTS.schedulerRoleArn);
  return groupName === undefined || roleArn === undefined ? undefined : { groupName, roleArn };
}

/**
 * Finds the deployment from the outputs named by STACK_OUTPUTS across the
 * stacks whose names start with the prefix. Every missing output is reported
 * at once.
 */
export async function resolveDeployment(
  client: CloudFormationClient,
  query: DeploymentQuery = {},
): Promise<Deployment> {
  const prefix = query.stackPrefix ?? DEFAULT_STACK_PREFIX;
  const stacks = await listStacks(client, prefix);
  if (stacks.length === 0) {
    throw new ConfigError(
      `No deployed stack named ${prefix}* in region ${await client.config.region()}: deploy with \`npx cdk deploy --all\` or pass --region/--profile/--stack-prefix`,
    );
  }
  const { outputs, problems } = collectOutputs(stacks);
  const get = (key: string): string => {
    const value = outputs.get(key);
    if (value === undefined) problems.push(`missing stack output ${key}`);
    return value ?? '';
  };
  const deployment: Deployment = {
    region: await client.config.region(),
    bucketName: get(STACK_OUTPUTS.bucketName),
    stateMachineArn: get(STACK_OUTPUTS.stateMachineArn),
    jobQueueArn: get(STACK_OUTPUTS.jobQueueArn),
    logGroupName: get(STACK_OUTPUTS.logGroupName),
    repositoryUri: get(STACK_OUTPUTS.repositoryUri),
    jobDefinitions: {
      builder: get(STACK_OUTPUTS.jobDefinitionBuilder),
      runner: get(STACK_OUTPUTS.jobDefinitionRunner),
      output: get(STACK_OUTPUTS.jobDefinitionOutput),
    },
  };
  const schedules = scheduleOutputs(outputs);
  if (problems.length > 0) {
    throw new ConfigError(
      `The deployment in stacks ${stacks.map((s) => s.StackName).join(', ')} is incomplete`,
      problems,
    );
  }
  return schedules === undefined ? deployment : { ...deployment, schedules };
}
