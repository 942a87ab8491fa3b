import type { Command } from 'commander';
import { z } from 'zod';
import { RunLayout } from '../../lib/contract/layout.js';
import { diffRuns, type RunDiff } from '../../lib/run/run-diff.js';
import { withCloudTargetOptions } from '../cloud-options.js';
import { processCloudDeps, type CloudCommandDeps } from '../deps.js';
import { parseOptions } from '../options.js';
import { runStorage, runStorageFields } from '../run-storage.js';

const diffSchema = z.object({ ...runStorageFields, json: z.boolean().default(false) });

const shown = (value: unknown): string =>
  value === undefined ? '(none)' : typeof value === 'string' ? value : JSON.stringify(value);

/** The diff for people: the record fields that changed, then each file, with its patch. */
export function renderRunDiff(diff: RunDiff): string {
  const lines = [`Runs ${diff.a} -> ${diff.b}:`];
  if (diff.withoutRecord.length > 0)
    lines.push(`  no run.json (older runs): ${diff.withoutRecord.join(', ')}; files compared only`);
  for (const f of diff.fields) lines.push(`  ${f.field}: ${shown(f.before)} -> ${shown(f.after)}`);
  lines.push(
    diff.sameExperiment
      ? '  experiment files: identical'
      : `  experiment files: ${diff.files.length} differ`,
  );
  for (const f of diff.files) {
    const sizes = `${f.before?.bytes ?? '-'} -> ${f.after?.bytes ?? '-'} bytes`;
    lines.push(`    ${f.change} ${f.path} (${sizes})`);
    if (f.patch)
      lines.push(
        ...f.patch
          .trimEnd()
          .split('\n')
          .map((l) => `      ${l}`),
      );
  }
  return `${lines.join('\n')}\n`;
}

async function diff(deps: CloudCommandDeps, a: string, b: string, raw: unknown): Promise<void> {
  const o = parseOptions(diffSchema, raw);
  const storage = await runStorage(deps, o);
  const result = await diffRuns(storage, new RunLayout(o.expId, a), new RunLayout(o.expId, b));
  deps.stdout(o.json ? `${JSON.stringify(result)}\n` : renderRunDiff(result));
}

/** Registers `experiment diff RUN_A RUN_B`: what changed between two runs of an experiment. */
export function registerRunDiff(
  experiment: Command,
  deps: () => CloudCommandDeps = processCloudDeps,
): void {
  withCloudTargetOptions(
    experiment
      .command('diff')
      .description(
        'what changed between two runs: experiment files (with a diff), version, stage code, git commit, reference date',
      )
      .argument('<run-a>', 'the earlier run id')
      .argument('<run-b>', 'the later run id'),
  )
    .requiredOption('--exp-id <id>', 'experiment id')
    .option('--local', "compare runs in the local bucket (else the deployment's bucket)")
    .option('--local-dir <dir>', 'local folder (env EPYCLOUD_LOCAL_DIR; default ./local)')
    .option('--json', 'print JSON: {a, b, sameExperiment, files, fields, withoutRecord}')
    .action(async (a: string, b: string, options: unknown) => diff(deps(), a, b, options));
}
