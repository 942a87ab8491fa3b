/** One attempt of one task, as the pool sees it. */
export interface AttemptResult {
  readonly exitCode: number;
  readonly durationMs: number;
}

/** The final state of one task. */
export interface TaskOutcome {
  readonly index: number;
  readonly ok: boolean;
  /** Attempts made, 1 + retries used. */
  readonly attempts: number;
  /** Exit code of the last attempt. */
  readonly exitCode: number;
  /** Wall time of all attempts together. */
  readonly durationMs: number;
}

/** Events the pool reports while it works, in order. */
export type PoolEvent =
  | { readonly type: 'start'; readonly index: number; readonly attempt: number }
  | {
      readonly type: 'retry';
      readonly index: number;
      readonly attempt: number;
      readonly exitCode: number;
    }
  | { readonly type: 'done'; readonly outcome: TaskOutcome };

/** Inputs of {@link runPool}. */
export interface PoolOptions {
  /** Task indexes to run, in the order they start. */
  readonly indexes: readonly number[];
  /** Tasks running at once, >= 1. */
  readonly parallelism: number;
  /** Extra attempts after a failed one, >= 0. */
  readonly retries: number;
  /** Runs one attempt (1-based) of one task; a non-zero exit code is a failure. */
  readonly run: (index: number, attempt: number) => Promise<AttemptResult>;
  /** Receives progress events. */
  readonly onEvent?: (event: PoolEvent) => void;
}

/** What {@link runPool} returns. */
export interface PoolResult {
  /** One outcome per index, sorted by index. */
  readonly outcomes: readonly TaskOutcome[];
  /** Indexes that failed every attempt, sorted. */
  readonly failed: readonly number[];
  /** Sum of every attempt's wall time: the busy time of all slots. */
  readonly busyMs: number;
}

async function runTask(
  options: PoolOptions,
  index: number,
): Promise<{ outcome: TaskOutcome; busyMs: number }> {
  let busyMs = 0;
  for (let attempt = 1; ; attempt += 1) {
    options.onEvent?.({ type: 'start', index, attempt });
    const { exitCode, durationMs } = await options.run(index, attempt);
    busyMs += durationMs;
    if (exitCode === 0 || attempt > options.retries) {
      return {
        outcome: { index, ok: exitCode === 0, attempts: attempt, exitCode, durationMs: busyMs },
        busyMs,
      };
    }
    options.onEvent?.({ type: 'retry', index, attempt: attempt + 1, exitCode });
  }
}

/**
 * Runs tasks with at most `parallelism` at once; a failed task is retried in
 * its slot up to `retries` times before it counts as failed. Every task runs
 * whatever the others do, so one call reports every failure of a run. When
 * `run` throws (a stage that cannot start, a stopped run), no further task
 * starts, and the error is thrown once the running ones have ended.
 */
export async function runPool(options: PoolOptions): Promise<PoolResult> {
  if (!Number.isInteger(options.parallelism) || options.parallelism < 1) {
    throw new RangeError(`parallelism must be an integer >= 1, got ${options.parallelism}`);
  }
  const queue = [...options.indexes];
  const outcomes: TaskOutcome[] = [];
  let busyMs = 0;
  const worker = async (): Promise<void> => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const result = await runTask(options, index).catch((error: unknown) => {
        queue.length = 0;
        throw error;
      });
      busyMs += result.busyMs;
      outcomes.push(result.outcome);
      options.onEvent?.({ type: 'done', outcome: result.outcome });
    }
  };
  const settled = await Promise.allSettled(
    Array.from({ length: Math.min(options.parallelism, queue.length) }, worker),
  );
  const thrown = settled.find((s) => s.status === 'rejected');
  if (thrown !== undefined) throw thrown.reason;
  outcomes.sort((a, b) => a.index - b.index);
  return { outcomes, failed: outcomes.filter((o) => !o.ok).map((o) => o.index), busyMs };
}
