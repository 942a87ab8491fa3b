import { describe, expect, it } from 'vitest';
import { resolveDeployment } from '../../../lib/cloud/deployment.js';
import { ConfigError } from '../../../lib/errors.js';
import { DEPLOYMENT, fakeWithStacks } from './fixtures.js';

describe('resolveDeployment', () => {
  it('collects the STACK_OUTPUTS of every stack with the prefix, across DescribeStacks pages', async () => {
    const aws = fakeWithStacks();
    expect(
      await resolveDeployment(aws.clients.cloudFormation, { stackPrefix: 'Epycloud-dev' }),
    ).toEqual(DEPLOYMENT);
  });

  it('lists every missing output at once', async () => {
    const aws = fakeWithStacks();
    aws.stacks = aws.stacks.filter((s) => s.StackName !== 'Epycloud-dev-Compute');
    const error = await resolveDeployment(aws.clients.cloudFormation).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'missing stack output JobQueueArn',
      'missing stack output LogGroupName',
      'missing stack output RepositoryUri',
      'missing stack output JobDefinitionBuilderArn',
      'missing stack output JobDefinitionRunnerArn',
      'missing stack output JobDefinitionOutputArn',
    ]);
  });

  it('says how to deploy when no stack matches, and ignores deleted stacks', async () => {
    const aws = fakeWithStacks();
    aws.stacks = aws.stacks.map((s) => ({ ...s, StackStatus: 'DELETE_COMPLETE' }));
    await expect(resolveDeployment(aws.clients.cloudFormation)).rejects.toThrow(
      /No deployed stack named Epycloud\* in region eu-west-1: deploy with/,
    );
  });

  it('refuses two deployments whose outputs disagree', async () => {
    const aws = fakeWithStacks();
    aws.stacks.push({
      StackName: 'Epycloud-prod-Storage',
      StackStatus: 'CREATE_COMPLETE',
      CreationTime: new Date(),
      Outputs: [{ OutputKey: 'BucketName', OutputValue: 'prod' }],
    });
    await expect(resolveDeployment(aws.clients.cloudFormation)).rejects.toThrow(
      /BucketName has two values .*--stack-prefix/,
    );
  });
});
