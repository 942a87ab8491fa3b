import type { OnGeneration } from '../lib/calibration/fit-target.js';
import {
  CALIBRATION_LOG_MESSAGE,
  type CalibrationProgress,
} from '../lib/contract/calibration-progress.js';
import type { CalibrationTask } from '../lib/experiment/calibration-task.js';
import type { Logger } from '../lib/log.js';
import type { Storage } from '../lib/storage/index.js';

/** Generations and particles a strategy plans: SMC's settings; rejection is one generation of unknown size. */
export function calibrationPlan(
  strategy: CalibrationTask['strategy'],
): Pick<CalibrationProgress, 'generations' | 'particles'> {
  return strategy.type === 'smc'
    ? { generations: strategy.generations, particles: strategy.particles }
    : { generations: 1, particles: null };
}

/** Options of {@link calibrationRecorder}. */
export interface RecorderOptions {
  readonly storage: Storage;
  /** `RunLayout.progress(index)`. */
  readonly key: string;
  readonly plan: Pick<CalibrationProgress, 'generations' | 'particles'>;
  readonly log: Logger;
  /** Extra fields of the log line (the task's population). */
  readonly fields?: Record<string, unknown>;
  readonly now?: () => Date;
}

/** Records calibration progress: {@link onGeneration} for the calibration, {@link flush} before the result is written. */
export interface CalibrationRecorder {
  readonly onGeneration: OnGeneration;
  /** Resolves once the latest progress is stored; a failed write is logged, never thrown (progress is advisory). */
  flush(): Promise<void>;
}

/**
 * After each generation, logs one JSON line (written at once: what local mode
 * shows live) and stores the progress under one key. Writes never overlap and
 * the newest progress wins: a generation that ends while a write is under way
 * is written next, replacing any older one still waiting. The calibration loop
 * yields to the event loop after each generation, so each write goes out while the next generation computes.
 */
export function calibrationRecorder(options: RecorderOptions): CalibrationRecorder {
  const now = options.now ?? (() => new Date());
  let latest: CalibrationProgress | undefined;
  let writing: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    for (let next = latest; next !== undefined; next = latest) {
      latest = undefined;
      await options.storage.putJson(options.key, next).catch((error: Error) =>
        options.log.info('calibration progress not stored', {
          key: options.key,
          reason: error.message,
        }),
      );
    }
    writing = undefined;
  };
  return {
    onGeneration: (g) => {
      const progress: CalibrationProgress = {
        generation: g.generation,
        ...options.plan,
        accepted: g.accepted,
        tolerance: Number.isFinite(g.tolerance) ? g.tolerance : null,
        simulations: g.simulations,
        updatedAt: now().toISOString(),
      };
      options.log.info(CALIBRATION_LOG_MESSAGE, { ...options.fields, ...progress, ess: g.ess });
      latest = progress;
      writing ??= drain();
    },
    flush: async () => {
      await writing;
    },
  };
}
