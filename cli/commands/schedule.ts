import { Command, Option } from 'commander';
import { join } from 'node:path';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { z } from 'zod';
import { localExperiments } from '../../lib/host/experiment-source.js';
import { localDirOf, localPaths } from '../../lib/host/paths.js';
import { RUNTIMES } from '../../lib/local/types.js';
import { nextFire } from '../../lib/schedule/cron.js';
import {
  DEFAULT_TIMEZONE,
  scheduleDefinitionSchema,
  scheduleNameFor,
  scheduleReferenceDate,
  type ScheduleDefinition,
  type ScheduleState,
} from '../../lib/schedule/definition.js';
import { localScheduleStore } from '../../lib/schedule/local-store.js';
import type { ScheduleStore } from '../../lib/schedule/types.js';
import { ValidationError } from '../../lib/errors.js';
import type { CloudCommandDeps, CloudTarget, CommandDeps } from '../deps.js';
import { intOption } from '../flag-values.js';
import {
  backendOptionsSchema,
  defaultParallelism,
  parseOptions,
  withBackendOptions,
} from '../options.js';
// lib/schedule's cloud store (and the AWS SDK) is imported when a cloud command runs, never for `--help`.

/** What the schedule commands need: both kinds of deps, the Scheduler client, the stop signal. */
export interface ScheduleCommandDeps {
  readonly local: () => CommandDeps;
  readonly cloud: () => CloudCommandDeps;
  /** The EventBridge Scheduler client (the SDK loads on first use); tests pass a fake. */
  readonly scheduler?: (target: CloudTarget) => Promise<SchedulerClient>;
  /** Stops `schedule run` (SIGINT, SIGTERM). */
  readonly signal?: AbortSignal | undefined;
}

const storeOptions = backendOptionsSchema.extend({ json: z.boolean().default(false) });
type StoreOptions = z.infer<typeof storeOptions>;

const createSchema = storeOptions.extend({
  expId: z.string({ message: 'required' }).min(1),
  cron: z.string({ message: 'required' }).min(1),
  timezone: z.string().min(1).default(DEFAULT_TIMEZONE),
  name: z.string().min(1).optional(),
  referenceDate: scheduleReferenceDate.optional(),
  outputConfig: z.string().min(1).optional(),
});

const runSchema = backendOptionsSchema.extend({
  parallelism: intOption(1, 'an integer >= 1').optional(),
  retries: intOption(0, 'an integer >= 0').default(2),
});

const realScheduler = async (target: CloudTarget): Promise<SchedulerClient> => {
  const { SchedulerClient } = await import('@aws-sdk/client-scheduler');
  return new SchedulerClient({
    ...(target.region ? { region: target.region } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
  });
};

/** The local folder's paths for `--local-dir` (settings, `EPYCLOUD_LOCAL_DIR`, `./local`). */
function pathsOf(deps: ScheduleCommandDeps, o: { readonly localDir?: string | undefined }) {
  const { env, cwd } = deps.local();
  return localPaths(localDirOf(o.localDir, env), cwd);
}

/** The schedules `--local` (a file in the local folder) or in the cloud (the deployment's schedule group). */
async function storeFor(deps: ScheduleCommandDeps, o: StoreOptions): Promise<ScheduleStore> {
  if (o.local) return localScheduleStore(pathsOf(deps, o).localDir, localExperiments);
  const { cloudScheduleStore } = await import('../../lib/schedule/cloud-store.js');
  const session = await deps.cloud().session(o);
  return cloudScheduleStore({
    scheduler: await (deps.scheduler ?? realScheduler)(o),
    s3: session.clients.s3,
    deployment: await session.deployment(),
    experiments: localExperiments,
  });
}

const stamp = (date: Date | null): string =>
  date === null ? 'never' : date.toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z');

/** A schedule with when it fires next. */
const withNext = (s: ScheduleDefinition, now: Date) => ({
  ...s,
  next: s.state === 'ENABLED' ? stamp(nextFire(s.cron, s.timezone, now)) : null,
});

/** The table of `schedule list`: one line per schedule, columns aligned. */
function renderSchedules(list: readonly ReturnType<typeof withNext>[], where: string): string {
  if (list.length === 0) return `No schedules in ${where}\n`;
  const rows = [
    ['NAME', 'STATE', 'CRON', 'TIMEZONE', 'EXPERIMENT', 'REFERENCE DATE', 'NEXT RUN'],
    ...list.map((s) => [
      s.name,
      s.state,
      s.cron,
      s.timezone,
      s.expId,
      s.referenceDate ?? '(experiment)',
      s.next ?? '(paused)',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

async function create(deps: ScheduleCommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(createSchema, raw);
  const definition = scheduleDefinitionSchema.safeParse({
    name: o.name ?? scheduleNameFor(o.expId),
    expId: o.expId,
    cron: o.cron,
    timezone: o.timezone,
    referenceDate: o.referenceDate,
    outputConfigFile: o.outputConfig,
  });
  if (!definition.success) {
    const flags = { name: '--name', expId: '--exp-id', cron: '--cron', timezone: '--timezone' };
    throw new ValidationError(
      `Invalid schedule:\n  - ${definition.error.issues.map((i) => `${flags[i.path[0] as keyof typeof flags] ?? String(i.path[0])}: ${i.message}`).join('\n  - ')}`,
    );
  }
  const store = await storeFor(deps, o);
  const made = await store.create({
    definition: definition.data,
    experimentDir: join(pathsOf(deps, o).experimentsDir, o.expId),
  });
  const shown = withNext(made, new Date());
  const out = deps.local().stdout;
  out(
    o.json
      ? `${JSON.stringify(shown)}\n`
      : `Schedule ${made.name} created in ${store.location}: ${made.expId} at "${made.cron}" (${made.timezone}); next run ${shown.next}\n`,
  );
}

async function list(deps: ScheduleCommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(storeOptions, raw);
  const store = await storeFor(deps, o);
  const now = new Date();
  const schedules = (await store.list()).map((s) => withNext(s, now));
  deps
    .local()
    .stdout(o.json ? `${JSON.stringify(schedules)}\n` : renderSchedules(schedules, store.location));
}

/** `delete`, `pause` and `resume`: one schedule by name. */
function changeOne(
  verb: string,
  change: (store: ScheduleStore, name: string) => Promise<ScheduleDefinition>,
) {
  return async (deps: ScheduleCommandDeps, name: string, raw: unknown): Promise<void> => {
    const o = parseOptions(storeOptions, raw);
    const store = await storeFor(deps, o);
    const changed = await change(store, name);
    deps
      .local()
      .stdout(
        o.json ? `${JSON.stringify(changed)}\n` : `Schedule ${name} ${verb} (${store.location})\n`,
      );
  };
}
const setState = (state: ScheduleState) => (store: ScheduleStore, name: string) =>
  store.setState(name, state);

/** `schedule run`: the local schedules in the foreground, each tick a local run, until interrupted. */
async function runForeground(deps: ScheduleCommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(runSchema, raw);
  const local = deps.local();
  const store = localScheduleStore(pathsOf(deps, o).localDir, localExperiments);
  const schedules = await store.list();
  const { nextRuns, runLocalSchedules } = await import('../../lib/schedule/local-scheduler.js');
  const enabled = nextRuns(schedules, new Date());
  if (enabled.length === 0)
    throw new ValidationError(
      `No enabled schedule in ${store.location}: add one with \`epycloud schedule create --local --exp-id X --cron "0 14 ? * WED *"\``,
    );
  for (const { name, next } of enabled) local.stderr(`${name}: next run ${stamp(next)}\n`);
  local.stderr('Running the schedules in the foreground; Ctrl-C stops\n');
  const backend = local.backend({ ...o, local: true });
  await runLocalSchedules(schedules, {
    signal: deps.signal ?? new AbortController().signal,
    notify: (line) => local.stdout(`${line}\n`),
    startRun: async ({ definition, referenceDate }) => {
      const result = await backend.runWorkflow(
        {
          expId: definition.expId,
          parallelism: o.parallelism ?? defaultParallelism(),
          retries: o.retries,
          ...(referenceDate === undefined ? {} : { referenceDate }),
          ...(definition.outputConfigFile === undefined
            ? {}
            : { outputConfigFile: definition.outputConfigFile }),
        },
        () => {},
      );
      return `run ${result.runId} ${result.status}${result.failure ? `: ${result.failure}` : ''}`;
    },
  });
}

/** Registers `schedule create|list|delete|pause|resume|run`. */
export function registerSchedule(program: Command, deps: ScheduleCommandDeps): void {
  const schedule = program
    .command('schedule')
    .description('runs on a cron schedule: in the cloud (EventBridge Scheduler) or --local');
  withBackendOptions(schedule.command('create').description('a schedule that runs an experiment'))
    .requiredOption('--exp-id <id>', 'experiment id, e.g. examples/seir-ma')
    .requiredOption('--cron <expression>', 'EventBridge cron: 6 fields, e.g. "0 14 ? * WED *"')
    .option('--timezone <zone>', 'IANA time zone of the cron expression', DEFAULT_TIMEZONE)
    .option('--name <name>', 'schedule name (default: the experiment id, "/" as "-")')
    .option(
      '--reference-date <auto|YYYY-MM-DD>',
      'auto: the coming Saturday when a run starts; or a Saturday',
    )
    .option('--output-config <file>', 'output config file when the experiment has several')
    .option('--json', 'print JSON')
    .action(async (options: unknown) => create(deps, options));
  withBackendOptions(schedule.command('list').description('schedules and when they fire next'))
    .option('--json', 'print JSON')
    .action(async (options: unknown) => list(deps, options));
  const one = (name: string, description: string, action: ReturnType<typeof changeOne>): void => {
    withBackendOptions(schedule.command(`${name} <name>`).description(description))
      .option('--json', 'print JSON')
      .action(async (id: string, options: unknown) => action(deps, id, options));
  };
  one(
    'delete',
    'remove a schedule (in the cloud, also its experiment snapshot)',
    changeOne('deleted', (s, n) => s.delete(n)),
  );
  one('pause', 'stop a schedule firing, keeping it', changeOne('paused', setState('DISABLED')));
  one('resume', 'let a paused schedule fire again', changeOne('resumed', setState('ENABLED')));
  schedule
    .command('run')
    .description('run the local schedules in the foreground until interrupted')
    .option('--local', 'the local schedules (the only ones this runs)')
    .option('--local-dir <dir>', 'local folder: schedules.yaml, experiments, bucket/')
    .addOption(
      new Option('--runtime <runtime>', 'local runtime (default docker)').choices(RUNTIMES),
    )
    .option('--parallelism <n>', 'Stage B tasks at once (default: number of cores)')
    .option('--retries <n>', 'extra attempts of a failed task', '2')
    .action(async (options: unknown) => runForeground(deps, options));
}
