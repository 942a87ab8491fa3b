import { createHash } from 'node:crypto';
import { sanitizeName } from '../contract/batch-job.js';
import { validateExpId, validateRunId } from '../contract/ids.js';
import { ValidationError } from '../errors.js';

/** Step Functions execution names: 1..80 characters; we keep to `[A-Za-z0-9_-]` so CloudWatch Logs accepts them too. */
const EXECUTION_NAME_MAX = 80;

const shortHash = (text: string): string =>
  createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * The execution name of a run: `<expId>--<runId>` sanitized to Step Functions'
 * rules. Deterministic, so starting the same run twice is caught by Step
 * Functions; when the sanitized name is too long, or sanitizing changed the
 * text, a hash of the exact ids keeps distinct runs distinct.
 */
export function executionName(expId: string, runId: string): string {
  validateExpId(expId);
  validateRunId(runId);
  const exact = `${expId}--${runId}`;
  const clean = sanitizeName(exact);
  if (clean === exact && clean.length <= EXECUTION_NAME_MAX) return clean;
  const hash = shortHash(exact);
  const runPart = sanitizeName(runId);
  const room = EXECUTION_NAME_MAX - runPart.length - hash.length - 4;
  const expPart = sanitizeName(expId).slice(0, Math.max(room, 1));
  return `${expPart}--${runPart}-${hash}`.slice(0, EXECUTION_NAME_MAX);
}

/** Prefix of the execution names of one experiment's runs (for filtering listings). */
export function executionNamePrefix(expId: string): string {
  return `${sanitizeName(validateExpId(expId))}--`;
}

/** The ARN of an execution of a state machine, given its name. */
export function executionArn(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length < 7 || parts[5] !== 'stateMachine') {
    throw new ValidationError(
      `Not a state machine ARN: "${stateMachineArn}" (expected arn:aws:states:<region>:<account>:stateMachine:<name>)`,
    );
  }
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}

/** The AWS console page of an execution. */
export function consoleUrl(region: string, arn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${arn}`;
}
