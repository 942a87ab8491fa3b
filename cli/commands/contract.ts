import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { ContractReport, StageRunner } from '../../lib/contract-check/check.js';
import type { StageName } from '../../lib/contract/layout.js';
import { stageImageCommand, type StageImage } from '../../lib/contract/stage-image.js';
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

/** The image and commands of the folder's `stages:` config, if it has one (nothing else is validated: the image reads the rest). */
async function declaredImage(experimentDir: string): Promise<StageImage | undefined> {
  const [{ readExperimentDir }, { readStageImage }] = await Promise.all([
    import('../../lib/experiment/snapshot.js'),
    import('../../lib/experiment/stage-image.js'),
  ]);
  return readStageImage(await readExperimentDir(experimentDir));
}

/** How to run the stages: the flags, else the image and commands of the experiment's `stages:` config. */
async function chooseRunner(
  deps: CommandDeps,
  o: z.infer<typeof checkSchema>,
  experimentDir: string,
): Promise<{ run: StageRunner; inContainer: boolean }> {
  const user = { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 };
  const declared = o.command === undefined ? await declaredImage(experimentDir) : undefined;
  const image = o.image ?? declared?.image;
  if (image === undefined && o.command === undefined)
    throw new ValidationError(
      'Give --image <image> (with --command for its stage command), --command for host processes, ' +
        "or an --exp-dir whose stages: config names the image (docs/CONTRACT.md, 'Your image in a run')",
    );
  if (image === undefined)
    return { run: processRunner(commandOf(o.command!), deps.env), inContainer: false };
  const command =
    declared !== undefined
      ? (stage: StageName) => stageImageCommand(declared, stage)
      : commandOf(o.command ?? '{stage}');
  return { run: dockerRunner(image, user, command), inContainer: true };
}

async function check(deps: CommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(checkSchema, raw);
  const experimentDir = resolve(
    deps.cwd,
    o.expDir ?? `${PROJECT_ROOT}/local/forecast/experiments/examples/seir-ma`,
  );
  const { run, inContainer } = await chooseRunner(deps, o, experimentDir);
  // the checker (and the storage layer it reads) loads only when a check runs: `--help` stays light
  const { checkContract } = await import('../../lib/contract-check/check.js');
  const report = await checkContract({
    run,
    experimentDir,
    experiments: localExperiments,
    ...(inContainer ? { bucketDirSeen: () => '/local/bucket' } : {}),
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
      'the tiny experiment folder the image reads (default: examples/seir-ma); its stages: config, if any, gives the image and commands the flags leave out',
    )
    .option('--json', 'print JSON: {ok, numTasks, outcomes: [{rule, ok, detail?}]}')
    .action(async (options: unknown) => check(deps(), options));
}
