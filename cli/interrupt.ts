import { constants } from 'node:os';
import { InterruptedError } from '../lib/errors.js';

/** The signals that stop the CLI in order. */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** What {@link interruptOnSignals} needs of the process; tests pass their own. */
export interface SignalSource {
  on(event: (typeof SIGNALS)[number], listener: () => void): unknown;
  off(event: (typeof SIGNALS)[number], listener: () => void): unknown;
}

/**
 * Turns SIGINT and SIGTERM into an abort of the running command: `signal` is
 * aborted with an `InterruptedError` (exit code 130 or 143); the command then
 * stops its stages, releases its run lock and throws it. A second signal exits
 * at once (the stages still end: their stdin lifeline closes with this process).
 */
export function interruptOnSignals(
  write: (text: string) => void,
  exit: (code: number) => void,
  source: SignalSource = process,
): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const listeners = SIGNALS.map((name) => {
    const listener = (): void => {
      if (controller.signal.aborted) {
        write(`epycloud: ${name} again: exiting now\n`);
        exit(128 + constants.signals[name]);
        return;
      }
      write(`epycloud: ${name}: stopping the running stages (again to exit at once)\n`);
      controller.abort(new InterruptedError(name));
    };
    source.on(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => listeners.forEach(([name, listener]) => source.off(name, listener)),
  };
}
