import type { Command } from 'commander';
import { z } from 'zod';
import { parseStage } from '../../lib/contract/layout.js';
import {
  cloudLogExtras,
  cloudLogFields,
  cloudStatusFields,
  repeatWhileWatching,
  withCloudLogOptions,
  withCloudStatusOptions,
} from '../cloud-options.js';
import { processCloudDeps, processDeps, type CloudCommandDeps, type CommandDeps } from '../deps.js';
import { registerRunDiff } from './run-diff.js';
import { backendOptionsSchema, parseOptions, withBackendOptions } from '../options.js';
import { intOption } from '../flag-values.js';
import { renderExperiments, renderLogs, renderStatus } from '../render.js';

const listSchema = backendOptionsSchema.extend({ json: z.boolean().default(false) });
const logsSchema = backendOptionsSchema.extend({
  expId: z.string({ message: 'required' }).min(1),
  runId: z.string().min(1).optional(),
  stage: z
    .string()
    .transform((s) => parseStage(s))
    .optional(),
  taskIndex: intOption(0, 'an integer >= 0').optional(),
  json: z.boolean().default(false),
  ...cloudLogFields,
});

async function listExperiments(deps: CommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(listSchema, raw);
  const list = await deps.backend(o).listExperiments();
  deps.stdout(o.json ? `${JSON.stringify(list)}\n` : renderExperiments(list));
}

async function showLogs(deps: CommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(logsSchema, raw);
  const entries = await deps.backend(o).logs({ ...o, ...cloudLogExtras(o, deps.stdout) });
  deps.stdout(o.json ? `${JSON.stringify(entries)}\n` : renderLogs(entries));
}

async function showStatus(deps: CommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(listSchema.extend(cloudStatusFields), raw);
  await repeatWhileWatching(o.watch, async () => {
    const report = await deps.backend(o).status({ expId: o.expId });
    deps.stdout(o.json ? `${JSON.stringify(report)}\n` : renderStatus(report));
  });
}

/** Registers `experiment list|diff`, `logs` and `status`. */
export function registerBrowse(
  program: Command,
  deps: () => CommandDeps = processDeps,
  cloudDeps: () => CloudCommandDeps = processCloudDeps,
): void {
  const experiment = program
    .command('experiment')
    .description('browse experiments and compare runs');
  withBackendOptions(
    experiment.command('list').description('experiments and their runs, newest first'),
  )
    .option('--json', 'print JSON')
    .action(async (options: unknown) => listExperiments(deps(), options));
  registerRunDiff(experiment, cloudDeps);
  withCloudLogOptions(
    withBackendOptions(program.command('logs').description("show a run's stage and task logs")),
  )
    .requiredOption('--exp-id <id>', 'experiment id')
    .option('--run-id <id>', 'run (default: the newest)')
    .option('--stage <stage>', 'A|B|C|builder|runner|output')
    .option('--task-index <n>', 'one Stage B task')
    .option('--json', 'print JSON')
    .action(async (options: unknown) => showLogs(deps(), options));
  withCloudStatusOptions(
    withBackendOptions(
      program.command('status').description('what the back end has to work with, and its runs'),
    ),
  )
    .option('--json', 'print JSON')
    .action(async (options: unknown) => showStatus(deps(), options));
}
