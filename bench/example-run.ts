/** Runs a copy of a shipped example, edited, through the local back end in a scratch folder (process runtime). */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalBackend } from '../lib/local/backend.js';
import type { WorkflowOptions, WorkflowResult } from '../lib/backend/types.js';
import { localExperiments } from '../lib/host/experiment-source.js';
import { localPaths, PROJECT_ROOT } from '../lib/host/paths.js';

/** Folder of a shipped example. */
export function exampleDir(name: string): string {
  return join(PROJECT_ROOT, 'local', 'forecast', 'experiments', 'examples', name);
}

/** A scratch local folder holding the example `name` as `bench/<name>`, with text edits per config file. */
export async function scratchExample(
  name: string,
  edits: Record<string, (text: string) => string> = {},
) {
  const localDir = await mkdtemp(join(tmpdir(), `epycloud-bench-${name}-`));
  const expId = `bench/${name}`;
  const dir = join(localDir, 'forecast', 'experiments', 'bench', name);
  await cp(exampleDir(name), dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits))
    await writeFile(join(dir, file), edit(await readFile(join(dir, file), 'utf8')));
  const paths = localPaths(localDir, process.cwd());
  const user = { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 };
  const backend = createLocalBackend({
    paths,
    runtime: 'process',
    hostEnv: process.env,
    user,
    experiments: localExperiments,
  });
  return {
    expId,
    paths,
    /** Runs the workflow on every core; throws when it does not succeed. */
    run: async (options: Partial<WorkflowOptions> = {}): Promise<WorkflowResult> => {
      const result = await backend.runWorkflow(
        { expId, parallelism: availableParallelism(), retries: 0, ...options },
        () => {},
      );
      if (result.status !== 'succeeded')
        throw new Error(`bench run of ${expId} failed: ${result.failure}`);
      return result;
    },
    dispose: () => rm(localDir, { recursive: true, force: true }),
  };
}
