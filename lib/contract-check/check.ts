import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV, stageEnvironment } from '../contract/env.js';
import { RunLayout, type StageName } from '../contract/layout.js';
import type { ExperimentSource } from '../host/experiment-source.js';
import { LocalDriver } from '../storage/local.js';
import { Storage } from '../storage/storage.js';
import { watchForPartialWrites } from './atomicity.js';
import { checkBuild, checkOutputs, checkResults, type Violation } from './rules.js';

/** Runs one stage of the image under test with the given contract environment; resolves to its exit code. */
export type StageRunner = (
  stage: StageName,
  env: Readonly<Record<string, string>>,
  bucket: { readonly hostDir: string },
) => Promise<number>;

/** One rule the checker tried, and whether the image kept it. */
export interface RuleOutcome {
  readonly rule: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** What `epycloud contract check` found. */
export interface ContractReport {
  readonly ok: boolean;
  readonly numTasks: number;
  readonly outcomes: readonly RuleOutcome[];
}

/** Options of {@link checkContract}. */
export interface CheckOptions {
  readonly run: StageRunner;
  /** The tiny experiment folder the image understands (holds `config/`). */
  readonly experimentDir: string;
  readonly experiments: Pick<ExperimentSource, 'snapshot'>;
  /** Where the bucket lives during the check (default: a temporary folder, removed after). */
  readonly workDir?: string;
  /** How the stage sees the bucket folder (`/local/bucket` in a container; the host folder as processes). */
  readonly bucketDirSeen?: (hostDir: string) => string;
}

const EXP_ID = 'contract-check';
const RUN_ID = 'check-1';

/**
 * Runs the three stages of an image on a tiny case in a local bucket and
 * reports every contract rule it breaks (docs/CONTRACT.md): a stage without
 * its environment must fail; Stage A writes a manifest (N >= 1) over inputs
 * that match it; Stage B refuses an index >= N and writes nothing for it,
 * writes every result with its checksum record, and is idempotent; Stage C
 * finishes one output folder with index.json; nothing is ever seen
 * half-written by a reader.
 */
export async function checkContract(options: CheckOptions): Promise<ContractReport> {
  const root = options.workDir ?? (await mkdtemp(join(tmpdir(), 'epycloud-contract-')));
  const hostDir = join(root, 'bucket');
  const storage = new Storage(new LocalDriver(hostDir));
  const layout = new RunLayout(EXP_ID, RUN_ID);
  const outcomes: RuleOutcome[] = [];
  const record = (rule: string, violations: readonly Violation[]): void => {
    if (violations.length === 0) outcomes.push({ rule, ok: true });
    for (const v of violations) outcomes.push({ rule: v.rule, ok: false, detail: v.detail });
  };
  const env = (extra: Partial<Parameters<typeof stageEnvironment>[0]> = {}) =>
    stageEnvironment({
      mode: 'local',
      expId: EXP_ID,
      runId: RUN_ID,
      localBucketDir: options.bucketDirSeen?.(hostDir) ?? hostDir,
      ...extra,
    });
  // a reader polls the bucket while a stage (every task of Stage B) runs; one verdict per stage
  const watching = async <T>(stage: StageName, body: () => Promise<T>): Promise<T> => {
    const watch = watchForPartialWrites(hostDir);
    try {
      return await body();
    } finally {
      record(`${stage}: atomic writes`, await watch.stop());
    }
  };
  /** Stage A again on a finished build of N tasks: exit 0, and its head and inputs byte for byte the same. */
  const rerunBuilder = async (n: number): Promise<Violation[]> => {
    const keys = [layout.manifest, ...Array.from({ length: n }, (_, i) => layout.input(i))];
    const read = () => Promise.all(keys.map((k) => storage.get(k).catch(() => undefined)));
    const before = await read();
    const code = await options.run('builder', env(), { hostDir });
    const after = await read();
    const changed = keys.filter((_, i) => {
      const [b, a] = [before[i], after[i]];
      return b === undefined || a === undefined || Buffer.compare(b, a) !== 0;
    });
    return [
      ...(code === 0 ? [] : [{ rule: 'A: idempotent', detail: `the rerun exited ${code}` }]),
      ...(changed.length === 0
        ? []
        : [
            {
              rule: 'A: idempotent',
              detail: `the rerun changed ${changed.join(', ')}: a finished build is kept (or rewritten with the same bytes)`,
            },
          ]),
    ];
  };
  const watched = (stage: StageName, stageEnv: Record<string, string>) =>
    watching(stage, () => options.run(stage, stageEnv, { hostDir }));
  try {
    await options.experiments.snapshot(options.experimentDir, storage, layout);
    const { EXP_ID: _omit, ...withoutExp } = env();
    const bare = await options.run('builder', withoutExp, { hostDir });
    record(
      'exit codes: a stage without EXP_ID fails',
      bare === 0 ? [exitZero('builder without EXP_ID')] : [],
    );
    const a = await watched('builder', env());
    record('A: exits 0', a === 0 ? [] : [{ rule: 'A: exit code', detail: `Stage A exited ${a}` }]);
    const build = await checkBuild(storage, layout);
    record('A: manifest and inputs', build.violations);
    const n = build.numTasks;
    if (n > 0) record('A: a rerun succeeds and keeps the build', await rerunBuilder(n));
    if (n > 0) {
      const none = await options.run('runner', env(), { hostDir });
      record('B: fails without a task index', [
        ...(none === 0
          ? [exitZero('runner with no TASK_INDEX, BATCH_TASK_INDEX or AWS_BATCH_JOB_ARRAY_INDEX')]
          : []),
        ...((await storage.exists(layout.result(0)))
          ? [
              {
                rule: 'B: no index',
                detail: 'a result was written by a runner given no index (never a silent task 0)',
              },
            ]
          : []),
      ]);
      const outside = await options.run('runner', env({ taskIndex: n }), { hostDir });
      const stray = await storage.exists(layout.result(n));
      record('B: refuses an index >= N', [
        ...(outside === 0 ? [exitZero(`runner with TASK_INDEX=${n} (N = ${n})`)] : []),
        ...(stray
          ? [{ rule: 'B: index out of range', detail: `a result was written for task ${n}` }]
          : []),
      ]);
      const codes = await watching('runner', async () => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          const task = env({ taskIndex: i, attempt: 1 });
          const last = n >= 2 && i === n - 1;
          out.push(await options.run('runner', last ? asArrayChild(task, i) : task, { hostDir }));
        }
        return out;
      });
      if (n >= 2)
        record(
          'B: AWS_BATCH_JOB_ARRAY_INDEX plus TASK_INDEX_OFFSET',
          (await storage.exists(layout.result(n - 1)))
            ? []
            : [
                {
                  rule: 'B: task index',
                  detail: `AWS_BATCH_JOB_ARRAY_INDEX=0 with TASK_INDEX_OFFSET=${n - 1} wrote no result ${n - 1}: the index is their sum`,
                },
              ],
        );
      const failed = codes.flatMap((c, i) => (c === 0 ? [] : [`task ${i} exited ${c}`]));
      record(
        'B: exits 0',
        failed.map((detail) => ({ rule: 'B: exit code', detail })),
      );
      record('B: results and checksum records', await checkResults(storage, layout, build.entries));
      const before = await storage.get(layout.result(0)).catch(() => undefined);
      const again = await options.run('runner', env({ taskIndex: 0, attempt: 2 }), { hostDir });
      const after = await storage.get(layout.result(0)).catch(() => undefined);
      record('B: a rerun of a done task succeeds and keeps its result', [
        ...(again === 0 ? [] : [{ rule: 'B: idempotent', detail: `the rerun exited ${again}` }]),
        ...(before && after && Buffer.compare(before, after) !== 0
          ? [{ rule: 'B: idempotent', detail: 'the rerun changed result 0' }]
          : []),
      ]);
      const c = await watched('output', env({ numTasks: n }));
      record(
        'C: exits 0',
        c === 0 ? [] : [{ rule: 'C: exit code', detail: `Stage C exited ${c}` }],
      );
      record('C: one finished output folder', await checkOutputs(storage, layout));
    }
    return { ok: outcomes.every((o) => o.ok), numTasks: n, outcomes };
  } finally {
    if (options.workDir === undefined) await rm(root, { recursive: true, force: true });
  }
}

/** Task i's environment as an array child of a split run: `AWS_BATCH_JOB_ARRAY_INDEX` 0 and `TASK_INDEX_OFFSET` i. */
function asArrayChild(task: Record<string, string>, i: number): Record<string, string> {
  const { [ENV.taskIndex]: _index, ...rest } = task;
  return { ...rest, [ENV.arrayIndex]: '0', [ENV.taskIndexOffset]: String(i) };
}

const exitZero = (what: string): Violation => ({
  rule: 'exit codes',
  detail: `${what} exited 0: a stage that cannot do its work must exit non-zero (2 for bad input)`,
});
