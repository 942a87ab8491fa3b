import type { Command } from 'commander';
import { z } from 'zod';
import { ConfigError } from '../../lib/errors.js';
import { DEFAULT_LOCAL_DIR, localDirOf, localPaths } from '../../lib/host/paths.js';
import {
  validateExperiments,
  type ExperimentValidation,
} from '../../lib/host/validate-experiments.js';
import type { CommandDeps } from '../deps.js';
import { parseOptions } from '../options.js';

/** What `validate` needs from the outside world: no back end, so no AWS SDK is loaded. */
export type ValidateDeps = Pick<CommandDeps, 'stdout' | 'env' | 'cwd'>;

const schema = z
  .object({
    expIds: z.array(z.string().min(1)),
    all: z.boolean().default(false),
    json: z.boolean().default(false),
    localDir: z.string().min(1).optional(),
  })
  .refine((o) => o.all !== o.expIds.length > 0, {
    message: 'expected experiment ids or --all (one of the two)',
    path: ['all'],
  });

/** One line per valid experiment; an invalid one's line, then its problems indented. */
export function renderValidation(results: readonly ExperimentValidation[]): string {
  return results
    .map((r) =>
      r.ok
        ? r.image !== undefined
          ? `${r.expId}: OK (stages in image ${r.image}; its Stage A decides the tasks)\n`
          : `${r.expId}: OK (${r.numTasks} task${r.numTasks === 1 ? '' : 's'})\n`
        : `${r.expId}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}\n` +
          r.problems.map((p) => `  - ${p.text}\n`).join(''),
    )
    .join('');
}

async function validate(deps: ValidateDeps, expIds: string[], raw: object): Promise<void> {
  const o = parseOptions(schema, { ...raw, expIds });
  const { experimentsDir } = localPaths(localDirOf(o.localDir, deps.env), deps.cwd);
  const results = await validateExperiments(
    experimentsDir,
    o.all ? { all: true } : { expIds: o.expIds },
  );
  deps.stdout(o.json ? `${JSON.stringify({ experiments: results })}\n` : renderValidation(results));
  const invalid = results.filter((r) => !r.ok).map((r) => r.expId);
  if (invalid.length > 0)
    throw new ConfigError(
      `${invalid.length} of ${results.length} experiment(s) invalid: ${invalid.join(', ')}`,
    );
}

/** Registers `validate`: the checks a run makes before it starts, on named experiments or all. */
export function registerValidate(program: Command, deps: () => ValidateDeps): void {
  program
    .command('validate')
    .description('check experiments as a run does before it starts; print every problem')
    .argument('[exp-id...]', 'experiment ids, e.g. examples/seir-ma')
    .option('--all', 'every experiment under the local folder')
    .option('--json', 'print JSON: {experiments: [{expId, ok, numTasks?, image?, problems}]}')
    .option(
      '--local-dir <dir>',
      `local folder: experiments in forecast/experiments/ (env EPYCLOUD_LOCAL_DIR; default ${DEFAULT_LOCAL_DIR})`,
    )
    .action(async (expIds: string[], options: object) => validate(deps(), expIds, options));
}
