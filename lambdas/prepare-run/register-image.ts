import {
  DescribeJobDefinitionsCommand,
  RegisterJobDefinitionCommand,
  type BatchClient,
} from '@aws-sdk/client-batch';
import { NotFoundError, StageError } from '../../lib/errors.js';
import type { RegisterImage } from './prepare.js';

/** The tags a new revision may carry: all but the reserved `aws:` ones. */
const userTags = (tags: Record<string, string> | undefined): Record<string, string> | undefined =>
  tags && Object.fromEntries(Object.entries(tags).filter(([key]) => !key.startsWith('aws:')));

/**
 * A {@link RegisterImage} over the Batch API: reads the job definition and
 * registers a new revision of the same name with only the image and the
 * command changed (each when given).
 */
export function batchImageRegistrar(batch: BatchClient): RegisterImage {
  return async (jobDefinitionArn, image, command) => {
    const found = await batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitions: [jobDefinitionArn] }),
    );
    const definition = found.jobDefinitions?.[0];
    if (
      definition?.containerProperties === undefined ||
      definition.jobDefinitionName === undefined
    ) {
      throw new NotFoundError(jobDefinitionArn, 'AWS Batch job definitions');
    }
    const registered = await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: definition.jobDefinitionName,
        type: 'container',
        containerProperties: {
          ...definition.containerProperties,
          ...(image === undefined ? {} : { image }),
          ...(command === undefined ? {} : { command: [...command] }),
        },
        platformCapabilities: definition.platformCapabilities,
        retryStrategy: definition.retryStrategy,
        timeout: definition.timeout,
        propagateTags: definition.propagateTags,
        parameters: definition.parameters,
        // keys starting with `aws:` are reserved: Batch refuses them (CloudFormation's own tags)
        tags: userTags(definition.tags),
      }),
    );
    if (registered.jobDefinitionArn === undefined)
      throw new StageError(
        `Batch registered no revision of ${definition.jobDefinitionName} (image ${image ?? 'unchanged'}, command ${command?.join(' ') ?? 'unchanged'})`,
      );
    return registered.jobDefinitionArn;
  };
}
