import { z } from 'zod';
import { localDirOf, localPaths } from '../lib/host/paths.js';
import { LocalDriver } from '../lib/storage/local.js';
import { Storage } from '../lib/storage/storage.js';
import { cloudTargetFields } from './cloud-options.js';
import type { CloudCommandDeps } from './deps.js';

/** Options of a command that reads a run's files: the cloud target, or `--local [--local-dir]`, and the run. */
export const runStorageFields = {
  ...cloudTargetFields,
  local: z.boolean().default(false),
  localDir: z.string().min(1).optional(),
  expId: z.string({ message: 'required' }).min(1),
  runId: z.string().min(1).optional(),
};

/** The run's storage: the local bucket folder with --local, else the deployment's bucket. */
export async function runStorage(
  deps: CloudCommandDeps,
  o: { readonly local: boolean; readonly localDir?: string | undefined } & Parameters<
    CloudCommandDeps['session']
  >[0],
): Promise<Storage> {
  if (o.local)
    return new Storage(
      new LocalDriver(localPaths(localDirOf(o.localDir, deps.env), deps.cwd).bucketDir),
    );
  const session = await deps.session(o);
  return session.storage();
}
