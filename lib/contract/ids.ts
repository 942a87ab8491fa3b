import { randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.js';

const EXP_ID_CHARS = /^[A-Za-z0-9._/-]+$/;
const RUN_ID_CHARS = /^[A-Za-z0-9._-]+$/;

/**
 * Checks an experiment id: nested ids such as `202605/flu-a` are allowed, but
 * never `..` segments, a leading `/`, or characters outside `[A-Za-z0-9._/-]`.
 * Returns the id unchanged or throws a ValidationError naming the rule.
 */
export function validateExpId(expId: string): string {
  const rule = 'experiment ids use only [A-Za-z0-9._/-], may not start or end with "/", and contain no ".." or empty segments';
  if (expId.length === 0) throw new ValidationError(`Experiment id is empty: ${rule}`);
  if (!EXP_ID_CHARS.test(expId)) throw new ValidationError(`Invalid experiment id "${expId}": ${rule}`);
  const segments = expId.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ValidationError(`Invalid experiment id "${expId}": ${rule}`);
  }
  return expId;
}

/**
 * Checks a run id: characters `[A-Za-z0-9._-]` only (no `/`), not `.` or `..`.
 * Returns the id unchanged or throws a ValidationError naming the rule.
 */
export function validateRunId(runId: string): string {
  const rule = 'run ids use only [A-Za-z0-9._-] (no "/") and are not "." or ".."';
  if (!RUN_ID_CHARS.test(runId) || runId === '.' || runId === '..' || runId.includes('..')) {
    throw new ValidationError(`Invalid run id "${runId}": ${rule}`);
  }
  return runId;
}

/** `YYYYMMDD-HHMMSS` of a date, in UTC. */
export function utcStamp(date: Date): string {
  const iso = date.toISOString(); // 2026-11-23T00:29:54.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** A new run id, `YYYYMMDD-HHMMSS-<8 hex>` in UTC. */
export function newRunId(now: Date = new Date(), random: () => Buffer = () => randomBytes(4)): string {
  return `${utcStamp(now)}-${random().toString('hex').slice(0, 8)}`;
}

/** The run id pattern produced by {@link newRunId}. */
export const GENERATED_RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{8}$/;
