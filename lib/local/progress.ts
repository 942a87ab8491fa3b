import type { ProgressEvent, ProgressSink } from '../backend/types.js';

/** `12.3s`, `4:05`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const mmss = `${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** Counters of the running stage's tasks. */
interface Tasks {
  total: number;
  done: number;
  failed: number;
  running: number;
  startedMs: number;
}

/** The live line: `runner: 12/20 done, 1 failed, 2 running | 0:34 elapsed | ETA 0:20`. */
export function taskLine(tasks: Readonly<Tasks>, nowMs: number): string {
  const elapsed = nowMs - tasks.startedMs;
  const finished = tasks.done + tasks.failed;
  const eta = finished > 0 && finished < tasks.total ? ` | ETA ${formatDuration((elapsed / finished) * (tasks.total - finished))}` : '';
  return `runner: ${tasks.done}/${tasks.total} done, ${tasks.failed} failed, ${tasks.running} running | ${formatDuration(elapsed)} elapsed${eta}`;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly write: (text: string) => void;
  /** A terminal gets one live line for Stage B; anything else gets plain lines. */
  readonly tty: boolean;
  readonly now?: () => number;
  /** Redraw period of the live line. */
  readonly intervalMs?: number;
}

/** A progress renderer for stderr; `close()` stops its timer and ends the live line. */
export function createProgress(options: ProgressOptions): { readonly sink: ProgressSink; close(): void } {
  const now = options.now ?? (() => Date.now());
  let tasks: Tasks | undefined;
  let timer: NodeJS.Timeout | undefined;
  const live = (): void => {
    if (options.tty && tasks !== undefined) options.write(`\r\x1b[2K${taskLine(tasks, now())}`);
  };
  const line = (text: string): void => options.write(options.tty && tasks !== undefined ? `\r\x1b[2K${text}\n` : `${text}\n`);
  const stopLive = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    if (options.tty && tasks !== undefined) options.write('\r\x1b[2K');
    tasks = undefined;
  };
  const sink: ProgressSink = (event: ProgressEvent) => {
    if (event.type === 'note') line(event.message);
    else if (event.type === 'stage-start') {
      if (event.numTasks === undefined) line(`${event.stage}: started`);
      else {
        line(`${event.stage}: ${event.numTasks} task(s)`);
        tasks = { total: event.numTasks, done: 0, failed: 0, running: 0, startedMs: now() };
        if (options.tty) timer = setInterval(live, options.intervalMs ?? 1000).unref();
      }
    } else if (event.type === 'stage-end') {
      const summary = tasks === undefined ? '' : ` (${tasks.done} done, ${tasks.failed} failed)`;
      stopLive();
      line(`${event.stage}: ${event.ok ? 'done' : 'FAILED'} in ${formatDuration(event.durationMs)}${summary}`);
    } else onTask(event);
    live();
  };
  const onTask = (event: Extract<ProgressEvent, { type: 'task' }>): void => {
    if (tasks === undefined) return;
    if (event.phase === 'start') tasks.running += 1;
    else if (event.phase === 'retry') {
      tasks.running -= 1;
      line(`runner: task ${event.index} failed, retrying (attempt ${event.attempt})`);
    } else {
      tasks.running -= 1;
      tasks[event.phase === 'succeeded' ? 'done' : 'failed'] += 1;
      const took = event.durationMs === undefined ? '' : ` in ${formatDuration(event.durationMs)}`;
      if (event.phase === 'failed')
        line(`runner: task ${event.index} FAILED after ${event.attempt} attempt(s) (exit code ${event.exitCode})`);
      else if (!options.tty) line(`runner: task ${event.index} done${took} [${tasks.done + tasks.failed}/${tasks.total}]`);
    }
  };
  return { sink, close: stopLive };
}
