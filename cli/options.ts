import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ValidationError } from '../lib/errors.js';
import { RUNTIMES } from '../lib/local/types.js';
import { Option, type Command } from 'commander';
import { DEFAULT_LOCAL_DIR } from '../lib/host/paths.js';
import { cloudTargetFields, withCloudTargetOptions } from './cloud-options.js';

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Parses commander's options with a zod schema; every problem is reported at once, by flag name. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const values = (raw ?? {}) as Record<string, unknown>;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const given = values[key] === undefined ? '' : ` (got "${String(values[key])}")`;
    return `--${kebab(key)}: ${issue.message}${given}`;
  });
  throw new ValidationError(`Invalid options:\n  - ${problems.join('\n  - ')}`);
}

/** Options every back-end command takes. */
export const backendOptionsSchema = z.object({
  local: z.boolean().default(false),
  localDir: z.string().min(1).optional(),
  runtime: z.enum(RUNTIMES, { message: `expected one of ${RUNTIMES.join(', ')}` }).optional(),
  ...cloudTargetFields,
});
/** Parsed back-end options. */
export type BackendOptions = z.infer<typeof backendOptionsSchema>;

/** Default Stage B parallelism: the machine's cores. */
export const defaultParallelism = (): number => availableParallelism();

/** Adds the options every back-end command takes; `--local` and `--cloud` exclude each other. */
export function withBackendOptions(command: Command): Command {
  return withCloudTargetOptions(command)
    .option(
      '--local',
      'run on this machine (Docker Compose or processes) instead of AWS (settings: mode: local)',
    )
    .addOption(
      new Option('--cloud', 'run on AWS even when the settings say mode: local').conflicts('local'),
    )
    .option(
      '--local-dir <dir>',
      `local folder: experiments in forecast/experiments/, artifacts in bucket/ (settings: local_dir, env EPYCLOUD_LOCAL_DIR; default ${DEFAULT_LOCAL_DIR})`,
    );
}
