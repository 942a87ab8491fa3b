/**
 * The limits validation enforces on an experiment, in one place (documented
 * in docs/EXPERIMENTS.md, "Limits"). A config that exceeds one is refused with
 * a ConfigError naming the bound and the value, before anything is written.
 */

/** Deepest nesting of YAML collections (maps and lists) in a config file. */
export const MAX_YAML_DEPTH = 64;

/**
 * The yaml library's `maxAliasCount`: how far aliases (`*name`) may expand a
 * document, bounding "billion laughs" alias bombs.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

/** Tasks of one run: N = locations x samples. */
export const MAX_TASKS = 100_000;

/** Simulation steps of one task: floor((end - start) / delta_t) + 1 (a forecast runs to its last horizon). */
export const MAX_STEPS_PER_TASK = 100_000;

/**
 * Estimated size of one task's result, 8 bytes per value: trajectories x dates
 * x (compartments + transitions) x age groups. Sized to leave room in the
 * runner's default 2 GiB of memory.
 */
export const MAX_RESULT_BYTES_PER_TASK = 256 * 2 ** 20;
