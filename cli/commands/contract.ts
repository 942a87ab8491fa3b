import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { ContractReport } from '../../lib/contract-check/check.js';
import { dockerRunner, processRunner } from '../../lib/contract-check/runners.js';
import { StageError, ValidationError } from '../../lib/errors.js';
import { localExperiments } from '../../lib/host/experiment-source.js';
import { PROJECT_ROOT } from '../../lib/host/paths.js';
import { alreadyPrinted } from '../error-report.js';
import { processDeps, type CommandDeps } from '../deps.js';
import { parseOptions } from '../options.js';

const checkSchema = z.object({
  image: z.string().min(1).optional(),
  command: z.string().min(1).optional(),
  expDir: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

/** `{stage}` in a command template, split on spaces: `node dist/stage.mjs {stage}`. */
const commandOf = (template: string) => (stage: string) =>
  template
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part.replaceAll('{stage}', stage));

/** The report for people: one line per rule, ✓ or ✗ with what broke it. */
export function renderContractReport(report: ContractReport): string {
  const lines = report.outcomes.map((o) =>
    o.ok ? `  ok    ${o.rule}` : `  FAIL  ${o.rule}: ${o.detail ?? ''}`,
  );
  const verdict = report.ok
    ? `The image keeps the stage contract (N = ${report.numTasks}).`
    : `The image breaks ${report.outcomes.filter((o) => !o.ok).length} rule(s) of the stage contract (docs/CONTRACT.md).`;
  return `${lines.join('\n')}\n${verdict}\n`;
}

async function check(deps: CommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(checkSchema, raw);
  if (o.image === undefined && o.command === undefined)
    throw new ValidationError(
      'Give --image <image> (with --command for its stage command), or --command for host processes',
    );
  const template = o.command ?? '{stage}';
  const run =
    o.image === undefined
      ? processRunner(commandOf(template), deps.env)
      : dockerRunner(
          o.image,
          { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 },
          commandOf(template),
        );
  const experimentDir = resolve(
    deps.cwd,
    o.expDir ?? `${PROJECT_ROOT}/local/forecast/experiments/examples/seir-ma`,
  );
  // the checker (and the storage layer it reads) loads only when a check runs: `--help` stays light
  const { checkContract } = await import('../../lib/contract-check/check.js');
  const report = await checkContract({
    run,
    experimentDir,
    experiments: localExperiments,
    ...(o.image === undefined ? {} : { bucketDirSeen: () => '/local/bucket' }),
  });
  deps.stdout(o.json ? `${JSON.stringify(report)}\n` : renderContractReport(report));
  if (!report.ok)
    throw alreadyPrinted(
      new StageError('The image breaks the stage contract: see the rules above'),
    );
}

/** Registers `contract check`: run an image's three stages on a tiny case and report every broken rule. */
export function registerContract(program: Command, deps: () => CommandDeps = processDeps): void {
  program
    .command('contract')
    .description('the stage contract any image implements (docs/CONTRACT.md)')
    .command('check')
    .description(
      "run an image's (or program's) three stages on a tiny case locally and report every contract rule it breaks",
    )
    .option('--image <image>', 'a local Docker image (run with no network, the bucket at /local)')
    .option(
      '--command <template>',
      'the stage command, {stage} replaced by builder|runner|output (default "{stage}": the entrypoint given the stage); without --image, run on this machine',
    )
    .option(
      '--exp-dir <dir>',
      'the tiny experiment folder the image reads (default: examples/seir-ma)',
    )
    .option('--json', 'print JSON: {ok, numTasks, outcomes: [{rule, ok, detail?}]}')
    .action(async (options: unknown) => check(deps(), options));
}
