import type { S3Client } from '@aws-sdk/client-s3';
import {
  ENV,
  parseAllowPartial,
  parseAttempt,
  parseCacheEnabled,
  parseFaultInjection,
  parseNumTasks,
  parseStageEnv,
  resolveTaskIndex,
  type EnvMap,
} from '../lib/contract/env.js';
import { parseStage } from '../lib/contract/layout.js';
import { objectTagsFor } from '../lib/contract/retention.js';
import { ConfigError, EpycloudError, ValidationError } from '../lib/errors.js';
import { jsonLogger, type Logger } from '../lib/log.js';
import { storageFor } from '../lib/storage/index.js';
import { readManifest } from '../lib/run/manifest.js';
import { taskFromMap } from '../lib/run/task-map.js';
import { runBuilder } from './builder.js';
import { runOutput } from './output.js';
import { runRunner } from './runner.js';

/** Seams for tests: where log lines go, the clock and an S3 client; the stage code's identity. */
export interface StageDeps {
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
  readonly s3Client?: S3Client;
  /** sha256 of the running stage bundle (the entrypoint reads it); absent, the task cache is off. */
  readonly codeSha256?: string;
}

/** Runs the stage named in argv with the given environment. Returns the stage summary; throws on failure. */
async function dispatch(
  argv: readonly string[],
  env: EnvMap,
  deps: StageDeps,
  setLogger: (l: Logger) => void,
): Promise<unknown> {
  if (argv.length !== 1)
    throw new ValidationError(
      `Usage: stage <A|B|C|builder|runner|output> (got ${argv.length} argument(s))`,
    );
  const stage = parseStage(argv[0]!);
  const { storage: target, layout, outputConfigFile, referenceDate } = parseStageEnv(env);
  // Intermediate artifacts carry the retention tag the bucket's lifecycle rule expires.
  const storage = storageFor(target, env, deps.s3Client, {
    tagsFor: (key) => objectTagsFor(layout, key),
  });
  const now = deps.now ?? (() => new Date());
  const context = { stage, exp_id: layout.expId, run_id: layout.runId };
  // an injected fault must meet a task that runs: reuse would hide it
  const faultInjection = parseFaultInjection(env);
  const cache = {
    enabled: parseCacheEnabled(env) && faultInjection === undefined,
    codeSha256: deps.codeSha256,
  };
  if (stage === 'builder') {
    const log = jsonLogger(context, deps.write);
    setLogger(log);
    return runBuilder({ layout, outputConfigFile, referenceDate, now, cache }, storage, log);
  }
  if (stage === 'output') {
    const log = jsonLogger(context, deps.write);
    setLogger(log);
    return runOutput(
      {
        layout,
        outputConfigFile,
        numTasks: parseNumTasks(env),
        allowPartial: parseAllowPartial(env),
        now,
      },
      storage,
      log,
    );
  }
  setLogger(jsonLogger(context, deps.write));
  const manifest = await readManifest(storage, layout);
  // a re-execution's array covers the tasks of its map: the resolved index is a position in it
  const resolved = resolveTaskIndex(env, manifest.numTasks);
  const map = env[ENV.taskMap];
  const taskIndex = map ? await taskFromMap(storage, map, resolved) : resolved;
  const log = jsonLogger({ ...context, task_index: taskIndex }, deps.write);
  setLogger(log);
  return runRunner(
    { layout, taskIndex, faultInjection, manifest, now, attempt: parseAttempt(env), cache },
    storage,
    log,
  );
}

/**
 * The container entrypoint's body: parse env once, run one stage, log JSON
 * lines to stderr. Returns the exit code (0, or the error's exitCode) and never
 * throws.
 */
export async function runStage(
  argv: readonly string[],
  env: EnvMap,
  deps: StageDeps = {},
): Promise<number> {
  let log: Logger = jsonLogger({ stage: argv[0] ?? 'unknown' }, deps.write);
  const started = performance.now();
  try {
    const summary = await dispatch(argv, env, deps, (l) => (log = l));
    log.info('stage completed', { duration_ms: Math.round(performance.now() - started), summary });
    return 0;
  } catch (error) {
    const known = error instanceof EpycloudError;
    log.error((error as Error).message ?? String(error), {
      code: known ? error.code : 'INTERNAL',
      ...(error instanceof ConfigError ? { problems: error.problems } : {}),
      ...(known ? {} : { stack: (error as Error).stack }),
    });
    return known ? error.exitCode : 1;
  }
}
