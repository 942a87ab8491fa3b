/** Fields every stage log line carries. */
export interface LogContext {
  readonly stage: string;
  readonly exp_id?: string;
  readonly run_id?: string;
  readonly task_index?: number;
}

/** A logger that writes one JSON object per line. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A JSON-lines logger for stage code: `{"time","level","stage","exp_id","run_id","task_index","message",...}`
 * on one line each, written with `write` (stderr by default).
 */
export function jsonLogger(
  context: LogContext,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const emit = (level: string, message: string, fields: Record<string, unknown> = {}): void =>
    write(
      `${JSON.stringify({ time: new Date().toISOString(), level, ...context, message, ...fields })}\n`,
    );
  return {
    info: (message, fields) => emit('info', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}
