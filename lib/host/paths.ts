import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The default local folder, relative to the working directory. */
export const DEFAULT_LOCAL_DIR = './local';

/** The repository this module belongs to (where docker/ and pipeline-scripts/ are). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The local folder a command uses: its `--local-dir`, then `EPYCLOUD_LOCAL_DIR`, then {@link DEFAULT_LOCAL_DIR}. */
export function localDirOf(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return flag ?? env.EPYCLOUD_LOCAL_DIR ?? DEFAULT_LOCAL_DIR;
}

/** Local paths for a local folder: experiments in `forecast/experiments/`, artifacts in `bucket/`. */
export function localPaths(
  localDir: string,
  cwd: string,
  projectRoot: string = PROJECT_ROOT,
): LocalPaths {
  const dir = resolve(cwd, localDir);
  return {
    projectRoot: resolve(projectRoot),
    localDir: dir,
    experimentsDir: resolve(dir, 'forecast', 'experiments'),
    bucketDir: resolve(dir, 'bucket'),
  };
}

/** Where this machine keeps experiments and artifacts, all absolute. */
export interface LocalPaths {
  /** The repository root: where `docker/` and `pipeline-scripts/` live. */
  readonly projectRoot: string;
  /** The local folder (default `./local`), mounted into containers at `/local`. */
  readonly localDir: string;
  /** `<local dir>/forecast/experiments`: one folder per experiment id. */
  readonly experimentsDir: string;
  /** `<local dir>/bucket`: the local storage root (`LOCAL_BUCKET_DIR`). */
  readonly bucketDir: string;
}
