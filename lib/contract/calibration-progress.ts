import { z } from 'zod';

/**
 * `progress/task_00000.json` (`RunLayout.progress`): where a forecast task's
 * calibration stands, rewritten after each generation. Stage B also logs it as
 * a JSON line with message {@link CALIBRATION_LOG_MESSAGE}.
 */
export const calibrationProgressSchema = z.object({
  /** The last finished generation, 0-based as the calibration counts it (0: drawn from the priors). */
  generation: z.number().int().nonnegative(),
  /** Generations planned (SMC `generations`; 1 for rejection); SMC may stop earlier. */
  generations: z.number().int().positive(),
  /** Particles accepted in the last generation. */
  accepted: z.number().int().nonnegative(),
  /** Particles each generation aims for (SMC `particles`); null for rejection, whose count is known only at its end. */
  particles: z.number().int().positive().nullable(),
  /** The last generation's tolerance; null for a generation drawn from the priors. */
  tolerance: z.number().nullable(),
  /** Simulations the last generation ran. */
  simulations: z.number().int().nonnegative(),
  /** ISO time of the write. */
  updatedAt: z.string(),
});

/** A task's calibration progress. */
export type CalibrationProgress = z.infer<typeof calibrationProgressSchema>;

/** Message of the Stage B log line that carries a {@link CalibrationProgress} in its fields. */
export const CALIBRATION_LOG_MESSAGE = 'calibration generation';

/** The progress a Stage B JSON log line carries; undefined for any other line. */
export function calibrationFromLogLine(line: string): CalibrationProgress | undefined {
  if (!line.includes(CALIBRATION_LOG_MESSAGE)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if ((value as { message?: unknown } | null)?.message !== CALIBRATION_LOG_MESSAGE)
    return undefined;
  return calibrationProgressSchema.safeParse(value).data;
}

const mean = (values: readonly number[]): number =>
  Math.round(values.reduce((a, b) => a + b, 0) / values.length);

/**
 * One phrase for the tasks calibrating now: `calibrating: gen 4/8, 300/300 particles`, or over
 * several tasks `calibrating 3 tasks: gen 4/8 (mean), 280/300 particles (mean)`. `tasks` is how
 * many calibrate when `progress` is a sample of them. Undefined when nothing calibrates.
 */
export function calibrationPhrase(
  progress: readonly CalibrationProgress[],
  tasks = progress.length,
): string | undefined {
  if (progress.length === 0) return undefined;
  const many = tasks > 1;
  const targets = progress.flatMap((p) => (p.particles === null ? [] : [p.particles]));
  const target = targets.length > 0 ? `/${Math.max(...targets)}` : '';
  const generation = `gen ${mean(progress.map((p) => p.generation + 1))}/${Math.max(...progress.map((p) => p.generations))}`;
  const accepted = `${mean(progress.map((p) => p.accepted))}${target} particles`;
  return `calibrating${many ? ` ${tasks} tasks` : ''}: ${generation}${many ? ' (mean)' : ''}, ${accepted}${many ? ' (mean)' : ''}`;
}
