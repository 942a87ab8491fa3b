import { ENV, stageEnvironment } from '../contract/env.js';
import { RunLayout, type StageName } from '../contract/layout.js';
import type { ManifestEntry } from '../contract/manifest.js';
import { LocalDriver } from '../storage/local.js';
import { Storage } from '../storage/storage.js';
import { watchForPartialWrites } from './atomicity.js';
import { checkBuild, checkOutputs, checkResults, type Violation } from './rules.js';
import type { CheckOptions, RuleOutcome } from './types.js';

const EXP_ID = 'contract-check';
const RUN_ID = 'check-1';

const exitZero = (what: string): Violation => ({
  rule: 'exit codes',
  detail: `${what} exited 0: a stage that cannot do its work must exit non-zero (2 for bad input)`,
});

/** `violation` when `failed`, else none. */
const when = (failed: boolean, violation: Violation): Violation[] => (failed ? [violation] : []);

/** Task i's environment as an array child of a split run: `AWS_BATCH_JOB_ARRAY_INDEX` 0 and `TASK_INDEX_OFFSET` i. */
function asArrayChild(task: Record<string, string>, i: number): Record<string, string> {
  const { [ENV.taskIndex]: _index, ...rest } = task;
  return { ...rest, [ENV.arrayIndex]: '0', [ENV.taskIndexOffset]: String(i) };
}

/**
 * One check in progress: the image's stages run on the tiny case in a local
 * bucket, each probe recording the rules it tried (docs/CONTRACT.md,
 * "Checking an image").
 */
export class ContractProbes {
  readonly outcomes: RuleOutcome[] = [];
  readonly storage: Storage;
  readonly layout = new RunLayout(EXP_ID, RUN_ID);

  constructor(
    private readonly options: CheckOptions,
    private readonly hostDir: string,
  ) {
    this.storage = new Storage(new LocalDriver(hostDir));
  }

  private record(rule: string, violations: readonly Violation[]): void {
    if (violations.length === 0) this.outcomes.push({ rule, ok: true });
    for (const v of violations) this.outcomes.push({ rule: v.rule, ok: false, detail: v.detail });
  }

  private env(extra: Partial<Parameters<typeof stageEnvironment>[0]> = {}): Record<string, string> {
    return stageEnvironment({
      mode: 'local',
      expId: EXP_ID,
      runId: RUN_ID,
      localBucketDir: this.options.bucketDirSeen?.(this.hostDir) ?? this.hostDir,
      ...extra,
    });
  }

  private run(stage: StageName, env: Record<string, string>): Promise<number> {
    return this.options.run(stage, env, { hostDir: this.hostDir });
  }

  /** Runs `body` while a reader polls the bucket for half-written files: one verdict per stage. */
  private async watching<T>(stage: StageName, body: () => Promise<T>): Promise<T> {
    const watch = watchForPartialWrites(this.hostDir);
    try {
      return await body();
    } finally {
      this.record(`${stage}: atomic writes`, await watch.stop());
    }
  }

  private bytes(key: string): Promise<Uint8Array | undefined> {
    return this.storage.get(key).catch(() => undefined);
  }

  /** Stage A: fails without `EXP_ID`; exits 0 with a manifest over matching inputs; a rerun keeps the build. */
  async builder(): Promise<{ numTasks: number; entries: readonly ManifestEntry[] }> {
    const { [ENV.expId]: _omit, ...withoutExp } = this.env();
    const bare = await this.run('builder', withoutExp);
    this.record(
      'exit codes: a stage without EXP_ID fails',
      when(bare === 0, exitZero('builder without EXP_ID')),
    );
    const a = await this.watching('builder', () => this.run('builder', this.env()));
    this.record(
      'A: exits 0',
      when(a !== 0, { rule: 'A: exit code', detail: `Stage A exited ${a}` }),
    );
    const build = await checkBuild(this.storage, this.layout);
    this.record('A: manifest and inputs', build.violations);
    if (build.numTasks > 0)
      this.record(
        'A: a rerun succeeds and keeps the build',
        await this.rerunBuilder(build.numTasks),
      );
    return build;
  }

  /** Stage A again on a finished build of N tasks: exit 0, and its head and inputs byte for byte the same. */
  private async rerunBuilder(n: number): Promise<Violation[]> {
    const keys = [
      this.layout.manifest,
      ...Array.from({ length: n }, (_, i) => this.layout.input(i)),
    ];
    const read = () => Promise.all(keys.map((k) => this.bytes(k)));
    const before = await read();
    const code = await this.run('builder', this.env());
    const after = await read();
    const changed = keys.filter((_, i) => {
      const [b, a] = [before[i], after[i]];
      return b === undefined || a === undefined || Buffer.compare(b, a) !== 0;
    });
    return [
      ...when(code !== 0, { rule: 'A: idempotent', detail: `the rerun exited ${code}` }),
      ...when(changed.length > 0, {
        rule: 'A: idempotent',
        detail: `the rerun changed ${changed.join(', ')}: a finished build is kept (or rewritten with the same bytes)`,
      }),
    ];
  }

  /** Stage B: the index rules, every task (the last as an array child), its results and records, an idempotent rerun. */
  async runner(n: number, entries: readonly ManifestEntry[]): Promise<void> {
    const none = await this.run('runner', this.env());
    this.record('B: fails without a task index', [
      ...when(
        none === 0,
        exitZero('runner with no TASK_INDEX, BATCH_TASK_INDEX or AWS_BATCH_JOB_ARRAY_INDEX'),
      ),
      ...when(await this.storage.exists(this.layout.result(0)), {
        rule: 'B: no index',
        detail: 'a result was written by a runner given no index (never a silent task 0)',
      }),
    ]);
    const outside = await this.run('runner', this.env({ taskIndex: n }));
    this.record('B: refuses an index >= N', [
      ...when(outside === 0, exitZero(`runner with TASK_INDEX=${n} (N = ${n})`)),
      ...when(await this.storage.exists(this.layout.result(n)), {
        rule: 'B: index out of range',
        detail: `a result was written for task ${n}`,
      }),
    ]);
    const codes = await this.watching('runner', async () => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const task = this.env({ taskIndex: i, attempt: 1 });
        out.push(await this.run('runner', n >= 2 && i === n - 1 ? asArrayChild(task, i) : task));
      }
      return out;
    });
    if (n >= 2)
      this.record(
        'B: AWS_BATCH_JOB_ARRAY_INDEX plus TASK_INDEX_OFFSET',
        when(!(await this.storage.exists(this.layout.result(n - 1))), {
          rule: 'B: task index',
          detail: `AWS_BATCH_JOB_ARRAY_INDEX=0 with TASK_INDEX_OFFSET=${n - 1} wrote no result ${n - 1}: the index is their sum`,
        }),
      );
    this.record(
      'B: exits 0',
      codes.flatMap((c, i) =>
        when(c !== 0, { rule: 'B: exit code', detail: `task ${i} exited ${c}` }),
      ),
    );
    this.record(
      'B: results and checksum records',
      await checkResults(this.storage, this.layout, entries),
    );
    const before = await this.bytes(this.layout.result(0));
    const again = await this.run('runner', this.env({ taskIndex: 0, attempt: 2 }));
    const after = await this.bytes(this.layout.result(0));
    this.record('B: a rerun of a done task succeeds and keeps its result', [
      ...when(again !== 0, { rule: 'B: idempotent', detail: `the rerun exited ${again}` }),
      ...when(before !== undefined && after !== undefined && Buffer.compare(before, after) !== 0, {
        rule: 'B: idempotent',
        detail: 'the rerun changed result 0',
      }),
    ]);
  }

  /** Stage C: exits 0 and leaves one finished output folder, no unfinished one. */
  async output(numTasks: number): Promise<void> {
    const c = await this.watching('output', () => this.run('output', this.env({ numTasks })));
    this.record(
      'C: exits 0',
      when(c !== 0, { rule: 'C: exit code', detail: `Stage C exited ${c}` }),
    );
    this.record('C: one finished output folder', await checkOutputs(this.storage, this.layout));
  }
}
