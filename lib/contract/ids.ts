import { randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { RUN_DIRS, RUNS_SEGMENT } from './run-dirs.js';

const EXP_ID_CHARS = /^[A-Za-z0-9._/-]+$/;
const RUN_ID_CHARS = /^[A-Za-z0-9._-]+$/;

/** Longest run id: it appears whole in Batch job names (128 characters) and Step Functions execution names (80). */
const MAX_RUN_ID = 64;
/** Longest segment of an experiment id: file names stay well under file systems' 255-byte limit. */
const MAX_EXP_SEGMENT = 128;
/** Longest experiment id: with the run id and artifact names, keys stay under S3's 1,024-byte limit. */
const MAX_EXP_ID = 512;

/** Run ids refused because they name a folder of the run layout or the experiment/run separator. */
const RESERVED_RUN_IDS: readonly string[] = [...Object.values(RUN_DIRS), RUNS_SEGMENT];

const EXP_ID_RULE =
  `experiment ids use only [A-Za-z0-9._/-], may not start or end with "/", contain no ".." or empty segments, ` +
  `no segment "${RUNS_SEGMENT}" (it separates experiment and run), at most ${MAX_EXP_SEGMENT} characters per segment and ${MAX_EXP_ID} in all`;
const RUN_ID_RULE =
  `run ids use only [A-Za-z0-9._-] (no "/"), are not "." or "..", at most ${MAX_RUN_ID} characters, ` +
  `and are none of the layout's names (${RESERVED_RUN_IDS.join(', ')})`;

/** An id as error messages quote it: long ones cut to their first 60 characters. */
const shown = (id: string): string => (id.length > 64 ? `${id.slice(0, 60)}...` : id);

/** Why an experiment id is refused, or undefined when it is valid. */
function expIdProblem(expId: string): string | undefined {
  if (expId.length === 0) return 'it is empty';
  if (!EXP_ID_CHARS.test(expId)) return 'it has characters outside [A-Za-z0-9._/-]';
  const segments = expId.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    return 'it has an empty, "." or ".." segment';
  // case-insensitive: on a case-insensitive disk `Runs` would be the separator's folder
  if (segments.some((s) => s.toLowerCase() === RUNS_SEGMENT))
    return `"${RUNS_SEGMENT}" is reserved: it separates experiment and run`;
  const long = segments.find((s) => s.length > MAX_EXP_SEGMENT);
  if (long !== undefined) return `segment "${long.slice(0, 20)}..." has ${long.length} characters`;
  if (expId.length > MAX_EXP_ID) return `it has ${expId.length} characters`;
  return undefined;
}

/** Why a run id is refused, or undefined when it is valid. */
function runIdProblem(runId: string): string | undefined {
  if (!RUN_ID_CHARS.test(runId) || runId.includes('..') || runId === '.')
    return 'it is empty, "." or has "/", ".." or characters outside [A-Za-z0-9._-]';
  if (runId.length > MAX_RUN_ID) return `it has ${runId.length} characters`;
  if (RESERVED_RUN_IDS.includes(runId.toLowerCase()))
    return `"${runId}" is a folder name of the run layout`;
  return undefined;
}

/** Whether an experiment id is valid (see {@link validateExpId}), without throwing. */
export function isValidExpId(expId: string): boolean {
  return expIdProblem(expId) === undefined;
}

/** Whether a run id is valid (see {@link validateRunId}), without throwing. */
export function isValidRunId(runId: string): boolean {
  return runIdProblem(runId) === undefined;
}

/**
 * Checks an experiment id: nested ids such as `202605/flu-a` are allowed, but
 * never `..` segments, a leading `/`, characters outside `[A-Za-z0-9._/-]`, the
 * reserved segment `runs`, or over-long segments. Returns the id unchanged or
 * throws a ValidationError naming the problem and the rule.
 */
export function validateExpId(expId: string): string {
  const problem = expIdProblem(expId);
  if (problem !== undefined)
    throw new ValidationError(
      `Invalid experiment id "${shown(expId)}": ${problem}; ${EXP_ID_RULE}`,
    );
  return expId;
}

/**
 * Checks a run id: characters `[A-Za-z0-9._-]` only (no `/`), not `.` or `..`,
 * at most {@link MAX_RUN_ID} characters, and not a name of the run layout
 * ({@link RESERVED_RUN_IDS}). Returns the id unchanged or throws a
 * ValidationError naming the problem and the rule.
 */
export function validateRunId(runId: string): string {
  const problem = runIdProblem(runId);
  if (problem !== undefined)
    throw new ValidationError(`Invalid run id "${shown(runId)}": ${problem}; ${RUN_ID_RULE}`);
  return runId;
}

/** `YYYYMMDD-HHMMSS` of a date, in UTC. */
export function utcStamp(date: Date): string {
  const iso = date.toISOString(); // 2026-11-23T00:29:54.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** A new run id, `YYYYMMDD-HHMMSS-<8 hex>` in UTC. */
export function newRunId(
  now: Date = new Date(),
  random: () => Buffer = () => randomBytes(4),
): string {
  return `${utcStamp(now)}-${random().toString('hex').slice(0, 8)}`;
}

/** The run id pattern produced by {@link newRunId}. */
export const GENERATED_RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{8}$/;
