import {
  BatchClient,
  DescribeJobDefinitionsCommand,
  RegisterJobDefinitionCommand,
} from '@aws-sdk/client-batch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { batchImageRegistrar } from '../../../lambdas/prepare-run/register-image.js';
import { NotFoundError } from '../../../lib/errors.js';

describe('batchImageRegistrar', () => {
  it('registers a revision of the same job definition with only the image changed', async () => {
    const batch = mockClient(BatchClient);
    batch.on(DescribeJobDefinitionsCommand).resolves({
      jobDefinitions: [
        {
          jobDefinitionName: 'Epycloud-dev-runner',
          jobDefinitionArn: 'arn:jd:1',
          revision: 1,
          type: 'container',
          platformCapabilities: ['FARGATE'],
          containerProperties: { image: 'old:1', command: ['node', 'dist/stage.mjs', 'runner'] },
          retryStrategy: { attempts: 3 },
          timeout: { attemptDurationSeconds: 600 },
          propagateTags: true,
          tags: {
            'epycloud:stage': 'runner',
            'aws:cloudformation:stack-name': 'Epycloud-dev-Compute',
            'aws:cloudformation:logical-id': 'RunnerJobDefinition',
          },
        },
      ],
    });
    batch.on(RegisterJobDefinitionCommand).resolves({
      jobDefinitionArn: 'arn:jd:2',
      jobDefinitionName: 'Epycloud-dev-runner',
      revision: 2,
    });
    const arn = await batchImageRegistrar(new BatchClient({ region: 'us-east-1' }))(
      'arn:jd:1',
      'new:2',
    );
    expect(arn).toBe('arn:jd:2');
    const input = batch.commandCalls(RegisterJobDefinitionCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      jobDefinitionName: 'Epycloud-dev-runner',
      type: 'container',
      platformCapabilities: ['FARGATE'],
      containerProperties: { image: 'new:2', command: ['node', 'dist/stage.mjs', 'runner'] },
      retryStrategy: { attempts: 3 },
      propagateTags: true,
    });
    // Batch refuses tag keys starting with `aws:` (CloudFormation's own tags come back from Describe)
    expect(input?.tags).toEqual({ 'epycloud:stage': 'runner' });
    batch.restore();
  });

  it('replaces the command too when given, and keeps the image when only the command is given', async () => {
    const batch = mockClient(BatchClient);
    batch.on(DescribeJobDefinitionsCommand).resolves({
      jobDefinitions: [
        {
          jobDefinitionName: 'Epycloud-dev-runner',
          jobDefinitionArn: 'arn:jd:1',
          revision: 1,
          type: 'container',
          containerProperties: { image: 'old:1', command: ['node', 'dist/stage.mjs', 'runner'] },
        },
      ],
    });
    batch.on(RegisterJobDefinitionCommand).resolves({ jobDefinitionArn: 'arn:jd:2' });
    const register = batchImageRegistrar(new BatchClient({ region: 'us-east-1' }));
    await register('arn:jd:1', 'model@sha256:abc', ['runner']);
    await register('arn:jd:1', undefined, ['python3', 'run.py']);
    const [both, commandOnly] = batch
      .commandCalls(RegisterJobDefinitionCommand)
      .map((c) => c.args[0].input.containerProperties);
    expect(both).toEqual({ image: 'model@sha256:abc', command: ['runner'] });
    expect(commandOnly).toEqual({ image: 'old:1', command: ['python3', 'run.py'] });
    batch.restore();
  });

  it('names a job definition that does not exist', async () => {
    const batch = mockClient(BatchClient);
    batch.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [] });
    await expect(
      batchImageRegistrar(new BatchClient({ region: 'us-east-1' }))('arn:gone', 'x'),
    ).rejects.toThrow(NotFoundError);
    batch.restore();
  });
});
