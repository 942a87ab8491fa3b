import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalPaths } from './types.js';

/** The default local folder, relative to the working directory. */
export const DEFAULT_LOCAL_DIR = './local';

/** The repository this module belongs to (where docker/ and pipeline-scripts/ are). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Local paths for a local folder: experiments in `forecast/experiments/`, artifacts in `bucket/`. */
export function localPaths(localDir: string, cwd: string, projectRoot: string = PROJECT_ROOT): LocalPaths {
  const dir = resolve(cwd, localDir);
  return {
    projectRoot: resolve(projectRoot),
    localDir: dir,
    experimentsDir: resolve(dir, 'forecast', 'experiments'),
    bucketDir: resolve(dir, 'bucket'),
  };
}
