import { Command, Option } from 'commander';
import { z } from 'zod';
import type { WorkflowResult } from '../../lib/backend/types.js';
import { STAGES, parseStage } from '../../lib/contract/layout.js';
import { referenceDateProblem } from '../../lib/contract/reference-date.js';
import { StageError } from '../../lib/errors.js';
import { alreadyPrinted } from '../error-report.js';
import { createProgress } from '../progress.js';
import { RUNTIMES } from '../../lib/local/types.js';
import { summaryOfLocalRun } from '../../lib/notify/from-workflow.js';
import { notifyRunEnd } from '../../lib/notify/targets.js';
import {
  cloudWorkflowExtras,
  cloudWorkflowFields,
  withCloudWorkflowOptions,
} from '../cloud-options.js';
import { processDeps, type CommandDeps } from '../deps.js';
import {
  backendOptionsSchema,
  defaultParallelism,
  parseOptions,
  withBackendOptions,
} from '../options.js';
import { intOption } from '../flag-values.js';
import { renderPlan, renderResult } from '../render.js';

/** `--reference-date`: a real `YYYY-MM-DD` date that is a Saturday. */
const referenceDate = z.string().superRefine((value, ctx) => {
  const problem = referenceDateProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const common = backendOptionsSchema.extend({
  expId: z.string({ message: 'required' }).min(1),
  parallelism: intOption(1, 'an integer >= 1').optional(),
  retries: intOption(0, 'an integer >= 0').default(2),
  outputConfig: z.string().min(1).optional(),
  referenceDate: referenceDate.optional(),
  json: z.boolean().default(false),
});

const workflowSchema = common.extend({
  runId: z.string().min(1).optional(),
  resume: z.string().min(1).optional(),
  skipOutput: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  yes: z.boolean().default(false),
  notify: z.boolean().default(true),
  cache: z.boolean().default(true),
  ...cloudWorkflowFields,
});

const jobSchema = common.extend({
  stage: z.string().transform((s) => parseStage(s)),
  runId: z.string({ message: 'required' }).min(1),
  taskIndex: intOption(0, 'an integer >= 0').optional(),
  numTasks: intOption(0, 'an integer >= 0').optional(),
});

/**
 * Announces a finished local run to the settings' webhooks (the deployment's lambda announces
 * cloud runs). A failure is a warning on stderr, never the command's outcome.
 */
async function notifyLocalRun(
  deps: CommandDeps,
  result: WorkflowResult,
  referenceDate: string | undefined,
): Promise<void> {
  if (result.backend !== 'local' || deps.notifyTargets === undefined) return;
  const warn = deps.stderr;
  const targets = await deps.notifyTargets().catch((error: unknown) => {
    warn(`epycloud: warning: no run-end notification: ${(error as Error).message}\n`);
    return {};
  });
  await notifyRunEnd(targets, summaryOfLocalRun(result, { referenceDate }), { warn });
}

/** Prints a result (JSON on stdout, or text), then fails with its reason when the run failed. */
function finish(deps: CommandDeps, result: WorkflowResult, json: boolean): WorkflowResult {
  deps.stdout(json ? `${JSON.stringify(result)}\n` : renderResult(result));
  if (result.status === 'failed')
    throw alreadyPrinted(new StageError(result.failure ?? `Run ${result.runId} failed`));
  return result;
}

function runOptions(command: Command): Command {
  return withBackendOptions(command)
    .requiredOption('--exp-id <id>', 'experiment id, e.g. examples/seir-ma')
    .option('--parallelism <n>', 'Stage B tasks at once (default: number of cores)')
    .option('--retries <n>', 'extra attempts of a failed task', '2')
    .option(
      '--output-config <file>',
      'output config file when the experiment has several (OUTPUT_CONFIG_FILE)',
    )
    .option(
      '--reference-date <YYYY-MM-DD>',
      "Stage A: a Saturday overriding the experiment's calibration reference_date (REFERENCE_DATE)",
    )
    .addOption(
      new Option(
        '--runtime <runtime>',
        'local runtime (env EPYCLOUD_RUNTIME; default docker)',
      ).choices(RUNTIMES),
    )
    .option('--json', 'print one JSON summary on stdout');
}

/** `run workflow`: the whole pipeline of one experiment. */
async function runWorkflow(deps: CommandDeps, raw: unknown): Promise<WorkflowResult> {
  const o = parseOptions(workflowSchema, raw);
  const parallelism = o.parallelism ?? defaultParallelism();
  const progress = createProgress({
    write: deps.stderr,
    tty: deps.stderrIsTTY && !o.json,
    verbose: deps.verbose === true,
  });
  try {
    const options = {
      ...o,
      parallelism,
      outputConfigFile: o.outputConfig,
      noCache: !o.cache,
      ...cloudWorkflowExtras(o),
    };
    const result = await deps.backend(o).runWorkflow(options, progress.sink);
    if (result.status === 'planned' && !o.json) {
      deps.stdout(renderPlan(result, parallelism));
      return result;
    }
    if (o.notify && result.status !== 'planned')
      await notifyLocalRun(deps, result, o.referenceDate);
    return finish(deps, result, o.json);
  } finally {
    progress.close();
  }
}

/** `run job`: one stage, or one Stage B task, of an existing run. */
async function runJob(deps: CommandDeps, raw: unknown): Promise<WorkflowResult> {
  const o = parseOptions(jobSchema, raw);
  const progress = createProgress({
    write: deps.stderr,
    tty: deps.stderrIsTTY && !o.json,
    verbose: deps.verbose === true,
  });
  try {
    const options = {
      ...o,
      parallelism: o.parallelism ?? defaultParallelism(),
      outputConfigFile: o.outputConfig,
    };
    return finish(deps, await deps.backend(o).runJob(options, progress.sink), o.json);
  } finally {
    progress.close();
  }
}

/** Registers `run workflow` and `run job`. */
export function registerRun(program: Command, deps: () => CommandDeps = processDeps): void {
  const run = program.command('run').description('run an experiment, or one stage of a run');
  withCloudWorkflowOptions(
    runOptions(
      run
        .command('workflow')
        .description('run Stage A, the Stage B tasks in parallel, then Stage C'),
    ),
  )
    .option('--run-id <id>', 'run id (default: a new UTC-stamped id)')
    .option('--resume <run-id>', 'finish an earlier run: rerun only missing results, keep its id')
    .option('--skip-output', 'stop after Stage B')
    .option('--dry-run', 'validate and print the plan; write and start nothing')
    .option('--yes', 'replace an existing run with the same --run-id')
    .option('--no-notify', "local: do not post the run's end to the settings' webhooks")
    .option(
      '--no-cache',
      "compute every task: neither reuse earlier runs' results of identical tasks nor record this run's",
    )
    .action(async (options: unknown) => void (await runWorkflow(deps(), options)));
  runOptions(
    run.command('job').description('run one stage of a run alone (A|B|C|builder|runner|output)'),
  )
    .requiredOption('--stage <stage>', `stage: A, B, C or ${STAGES.join(', ')}`)
    .requiredOption('--run-id <id>', 'the run')
    .option(
      '--task-index <n>',
      'Stage B: the one task to run (default: every task of the manifest)',
    )
    .option('--num-tasks <n>', 'Stage C: NUM_TASKS; Stage B without --task-index: tasks 0..n-1')
    .action(async (options: unknown) => void (await runJob(deps(), options)));
}
