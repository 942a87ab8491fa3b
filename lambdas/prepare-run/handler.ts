import { BatchClient } from '@aws-sdk/client-batch';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../lib/errors.js';
import type { PrepareRunResult } from '../../lib/contract/pipeline.js';
import { reportErrors } from '../shared/handler-errors.js';
import { prepareRun } from './prepare.js';
import {
  PREPARE_CONFIG_VAR,
  prepareConfigSchema,
  type PrepareConfig,
} from '../../lib/contract/lambda-config.js';
import { batchImageRegistrar } from './register-image.js';
import { ecrDigestResolver } from './resolve-image.js';
import { S3Driver, Storage } from '../../lib/storage/index.js';
import { s3ObjectCopier } from './copy-object.js';

function loadConfig(): PrepareConfig {
  const parsed = prepareConfigSchema.safeParse(JSON.parse(process.env[PREPARE_CONFIG_VAR] ?? '{}'));
  if (!parsed.success)
    throw new ConfigError(
      `Invalid ${PREPARE_CONFIG_VAR}`,
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  return parsed.data;
}

const batch = new BatchClient({});
const ecr = new ECRClient({});
const s3 = new S3Client({});

/** Lambda entrypoint of the `PrepareRun` state: event = the execution input. */
export async function handler(event: unknown): Promise<PrepareRunResult> {
  return reportErrors(() => {
    const config = loadConfig();
    return prepareRun(event, {
      config,
      registerImage: batchImageRegistrar(batch),
      resolveImageDigest: ecrDigestResolver(ecr),
      // scheduled inputs: list the schedule's snapshot, copy it server-side into the run
      snapshots: {
        storage: new Storage(new S3Driver(s3, config.bucket)),
        copy: s3ObjectCopier(s3, config.bucket),
      },
    });
  });
}
