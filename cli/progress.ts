import type { ProgressEvent, ProgressSink } from '../lib/backend/types.js';
import {
  calibrationPhrase,
  type CalibrationProgress,
} from '../lib/contract/calibration-progress.js';

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

/**
 * The live line: `runner: 12/20 done, 1 failed, 2 running | 0:34 elapsed | ETA 0:20`, with
 * `· calibrating: gen 4/8, 300/300 particles` after the counts while forecast tasks calibrate.
 */
export function taskLine(
  tasks: Readonly<Tasks>,
  nowMs: number,
  calibrating: readonly CalibrationProgress[] = [],
): string {
  const elapsed = nowMs - tasks.startedMs;
  const finished = tasks.done + tasks.failed;
  const eta =
    finished > 0 && finished < tasks.total
      ? ` | ETA ${formatDuration((elapsed / finished) * (tasks.total - finished))}`
      : '';
  const calibration = calibrationPhrase(calibrating);
  const counts = `${tasks.done}/${tasks.total} done, ${tasks.failed} failed, ${tasks.running} running${calibration ? ` · ${calibration}` : ''}`;
  return `runner: ${counts} | ${formatDuration(elapsed)} elapsed${eta}`;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly write: (text: string) => void;
  /** A terminal gets one live line for Stage B; anything else gets plain lines. */
  readonly tty: boolean;
  /** Every task's start and end as a line, also on a terminal (above the live line). */
  readonly verbose?: boolean;
  readonly now?: () => number;
  /** Redraw period of the live line. */
  readonly intervalMs?: number;
}

const CLEAR = '\r\x1b[2K';

/** Renders progress events: plain lines, or lines above one live Stage B line on a terminal. */
class ProgressRenderer {
  private tasks: Tasks | undefined;
  /** Latest calibration progress of each running task that reported one. */
  private readonly calibrating = new Map<number, CalibrationProgress>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  handle(event: ProgressEvent): void {
    if (event.type === 'note') this.line(event.message);
    else if (event.type === 'stage-start') this.stageStart(event.stage, event.numTasks);
    else if (event.type === 'stage-end') {
      const summary =
        this.tasks === undefined ? '' : ` (${this.tasks.done} done, ${this.tasks.failed} failed)`;
      this.close();
      this.line(
        `${event.stage}: ${event.ok ? 'done' : 'FAILED'} in ${formatDuration(event.durationMs)}${summary}`,
      );
    } else if (event.type === 'calibration') this.calibration(event);
    else this.task(event);
    this.live();
  }

  /** Stops the timer and clears the live line. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.tty && this.tasks !== undefined) this.options.write(CLEAR);
    this.tasks = undefined;
    this.calibrating.clear();
  }

  private stageStart(stage: string, numTasks: number | undefined): void {
    if (numTasks === undefined) return this.line(`${stage}: started`);
    this.line(`${stage}: ${numTasks} task(s)`);
    this.tasks = { total: numTasks, done: 0, failed: 0, running: 0, startedMs: this.now() };
    if (this.options.tty)
      this.timer = setInterval(() => this.live(), this.options.intervalMs ?? 1000).unref();
  }

  private task(event: Extract<ProgressEvent, { type: 'task' }>): void {
    const tasks = this.tasks;
    if (tasks === undefined) return;
    this.calibrating.delete(event.index);
    tasks.running += event.phase === 'start' ? 1 : -1;
    if (event.phase === 'start' && this.options.verbose)
      this.line(`runner: task ${event.index} started (attempt ${event.attempt})`);
    if (event.phase === 'retry')
      this.line(`runner: task ${event.index} failed, retrying (attempt ${event.attempt})`);
    if (event.phase !== 'succeeded' && event.phase !== 'failed') return;
    tasks[event.phase === 'succeeded' ? 'done' : 'failed'] += 1;
    const took = event.durationMs === undefined ? '' : ` in ${formatDuration(event.durationMs)}`;
    if (event.phase === 'failed')
      this.line(
        `runner: task ${event.index} FAILED after ${event.attempt} attempt(s) (exit code ${event.exitCode})`,
      );
    else if (!this.options.tty || this.options.verbose)
      this.line(
        `runner: task ${event.index} done${took} [${tasks.done + tasks.failed}/${tasks.total}]`,
      );
  }

  /** Keeps the task's latest generation for the live line; plain output gets one line per new generation. */
  private calibration(event: Extract<ProgressEvent, { type: 'calibration' }>): void {
    if (this.tasks === undefined) return;
    const seen = this.calibrating.get(event.index);
    this.calibrating.set(event.index, event.progress);
    if (!this.options.tty && seen?.generation !== event.progress.generation) {
      this.line(`runner: task ${event.index} ${calibrationPhrase([event.progress])}`);
    }
  }

  private live(): void {
    if (this.options.tty && this.tasks !== undefined) {
      this.options.write(
        `${CLEAR}${taskLine(this.tasks, this.now(), [...this.calibrating.values()])}`,
      );
    }
  }

  private line(text: string): void {
    this.options.write(
      this.options.tty && this.tasks !== undefined ? `${CLEAR}${text}\n` : `${text}\n`,
    );
  }
}

/** A progress renderer for stderr; `close()` stops its timer and ends the live line. */
export function createProgress(options: ProgressOptions): {
  readonly sink: ProgressSink;
  close(): void;
} {
  const renderer = new ProgressRenderer(options);
  return { sink: (event) => renderer.handle(event), close: () => renderer.close() };
}
