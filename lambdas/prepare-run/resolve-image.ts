import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { NotFoundError } from '../../lib/errors.js';
import type { ResolveImageDigest } from './prepare.js';

/**
 * A {@link ResolveImageDigest} over the ECR API: DescribeImages of one tag of a
 * repository in the caller's own registry (the deployment's account and region).
 * A tag the repository does not hold is undefined; a missing repository is a
 * NotFoundError naming it; any other failure is thrown as the SDK reports it.
 */
export function ecrDigestResolver(ecr: ECRClient): ResolveImageDigest {
  return async (repositoryName, imageTag) => {
    try {
      const found = await ecr.send(
        new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag }] }),
      );
      return found.imageDetails?.[0]?.imageDigest;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ImageNotFoundException') return undefined;
      if (name === 'RepositoryNotFoundException')
        throw new NotFoundError(repositoryName, 'the ECR repositories of this account and region');
      throw error;
    }
  };
}
