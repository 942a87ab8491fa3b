import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ecrDigestResolver } from '../../../lambdas/prepare-run/resolve-image.js';
import { NotFoundError } from '../../../lib/errors.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const ecrMock = mockClient(ECRClient);
const resolve = () => ecrDigestResolver(new ECRClient({ region: 'us-east-1' }));

describe('ecrDigestResolver', () => {
  afterEach(() => ecrMock.reset());

  it('asks DescribeImages for one tag of the repository and returns its digest', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({
      imageDetails: [{ repositoryName: 'epycloud', imageDigest: DIGEST, imageTags: ['latest'] }],
    });
    expect(await resolve()('epycloud', 'latest')).toBe(DIGEST);
    expect(ecrMock.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input)).toEqual([
      { repositoryName: 'epycloud', imageIds: [{ imageTag: 'latest' }] },
    ]);
  });

  it('answers undefined for a tag the repository does not hold', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'no image', $metadata: {} }));
    expect(await resolve()('epycloud', 'nope')).toBeUndefined();
  });

  it('names a repository that does not exist, and passes other failures on', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejectsOnce(new RepositoryNotFoundException({ message: 'no repo', $metadata: {} }))
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const missing = await resolve()('gone', 'latest').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toContain('gone');
    await expect(resolve()('epycloud', 'latest')).rejects.toThrow('slow down');
  });
});
