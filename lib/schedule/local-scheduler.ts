import { Cron } from 'croner';
import { resolveReferenceDate } from '../contract/reference-date.js';
import { nextFire, toCronerPattern } from './cron.js';
import type { ScheduleDefinition } from './definition.js';

/** One run a schedule starts, as the local scheduler asks for it. */
export interface ScheduledRun {
  readonly definition: ScheduleDefinition;
  /** The schedule's reference date made concrete (`auto`: the coming Saturday at `firedAt`). */
  readonly referenceDate: string | undefined;
  readonly firedAt: Date;
}

/** What the local scheduler needs: how to start a run, where to say what happens, when to stop. */
export interface LocalSchedulerOptions {
  /** Runs one schedule's run to its end; resolves to a one-line summary, rejects when it cannot run. */
  readonly startRun: (run: ScheduledRun) => Promise<string>;
  /** One line of what happens (a run starts, ends, fails, or a tick is skipped). */
  readonly notify: (line: string) => void;
  /** Stops the scheduler: no new run starts; the promise resolves once the running ones end. */
  readonly signal: AbortSignal;
}

const stamp = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The croner job of one schedule: each tick starts a run, unless the previous
 * run of this schedule is still going, when the tick is skipped, saying so
 * (once per tick: croner's own `protect` may report a blocked tick twice).
 */
function scheduleJob(
  definition: ScheduleDefinition,
  options: LocalSchedulerOptions,
  running: Set<Promise<unknown>>,
): Cron {
  const { name } = definition;
  let current: Promise<void> | undefined;
  const fire = (): void => {
    const firedAt = new Date();
    if (current !== undefined) {
      options.notify(
        `${stamp(firedAt)} ${name}: skipped this tick: its previous run is still going`,
      );
      return;
    }
    const referenceDate =
      definition.referenceDate === undefined
        ? undefined
        : resolveReferenceDate(definition.referenceDate, firedAt);
    options.notify(
      `${stamp(firedAt)} ${name}: starting a run of ${definition.expId}${referenceDate === undefined ? '' : ` (reference date ${referenceDate})`}`,
    );
    const run = options.startRun({ definition, referenceDate, firedAt }).then(
      (summary) => options.notify(`${stamp(new Date())} ${name}: ${summary}`),
      (error: unknown) =>
        options.notify(`${stamp(new Date())} ${name}: failed: ${(error as Error).message}`),
    );
    current = run;
    running.add(run);
    void run.finally(() => {
      current = undefined;
      running.delete(run);
    });
  };
  return new Cron(
    toCronerPattern(definition.cron),
    { mode: '7-part', timezone: definition.timezone },
    fire,
  );
}

/**
 * Runs the enabled schedules in the foreground with croner, each in its time
 * zone, starting a run at each tick through `startRun` (one at a time per
 * schedule), until `signal` aborts; then stops every timer and waits for the
 * runs still going (they stop with the same signal). Paused schedules never fire.
 */
export async function runLocalSchedules(
  definitions: readonly ScheduleDefinition[],
  options: LocalSchedulerOptions,
): Promise<void> {
  const running = new Set<Promise<unknown>>();
  const jobs = definitions
    .filter((definition) => definition.state === 'ENABLED')
    .map((definition) => scheduleJob(definition, options, running));
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  for (const job of jobs) job.stop();
  await Promise.all(running);
}

/** When each enabled schedule fires next after `from` (null when never), for the start-up lines. */
export function nextRuns(
  definitions: readonly ScheduleDefinition[],
  from: Date,
): { readonly name: string; readonly next: Date | null }[] {
  return definitions
    .filter((definition) => definition.state === 'ENABLED')
    .map((definition) => ({
      name: definition.name,
      next: nextFire(definition.cron, definition.timezone, from),
    }));
}
