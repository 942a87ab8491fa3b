import { Command } from 'commander';
import { resolve } from 'node:path';
import { z } from 'zod';
import { downloadRun } from '../../lib/run/download.js';
import { DEFAULT_LOCAL_DIR } from '../../lib/host/paths.js';
import { processCloudDeps, type CloudCommandDeps } from '../deps.js';
import { withCloudTargetOptions } from '../cloud-options.js';
import { parseOptions } from '../options.js';
import { runStorage, runStorageFields } from '../run-storage.js';

const schema = z.object({
  ...runStorageFields,
  files: z.string().min(1).optional(),
  dest: z.string().min(1).default('downloads'),
  json: z.boolean().default(false),
});

async function download(deps: CloudCommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(schema, raw);
  const result = await downloadRun(await runStorage(deps, o), {
    expId: o.expId,
    runId: o.runId,
    files: o.files,
    outDir: resolve(deps.cwd, o.dest),
  });
  deps.stderr(`download: ${result.files.length} file(s) of run ${result.runId}\n`);
  deps.stdout(o.json ? `${JSON.stringify(result)}\n` : result.files.map((f) => `${f}\n`).join(''));
}

/** Registers `download`: a run's files (default its outputs) to a local folder. */
export function registerDownload(
  program: Command,
  deps: () => CloudCommandDeps = processCloudDeps,
): void {
  withCloudTargetOptions(
    program
      .command('download')
      .description("copy a run's files (default: its outputs) to a folder"),
  )
    .requiredOption('--exp-id <id>', 'experiment id')
    .option('--run-id <id>', 'run (default: the newest)')
    .option(
      '--files <glob>',
      'files relative to the run, * within a folder, ** across (default outputs/**)',
    )
    .option('-d, --dest <dir>', 'target folder; files land in <dir>/<run-id>/', 'downloads')
    .option('--local', 'from the local bucket folder instead of S3')
    .option('--local-dir <dir>', `local folder (default ${DEFAULT_LOCAL_DIR})`)
    .option('--json', 'print JSON')
    .action(async (options: unknown) => download(deps(), options));
}
