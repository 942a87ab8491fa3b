import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { ConfigError, NotFoundError, ValidationError } from '../errors.js';
import type { ExperimentSource } from '../host/experiment-source.js';
import {
  scheduleDefinitionSchema,
  validationOverrides,
  type ScheduleDefinition,
} from './definition.js';
import type { ScheduleStore } from './types.js';

/** The local schedules' file, in the local folder. */
export const LOCAL_SCHEDULES_FILE = 'schedules.yaml';

const fileSchema = z.object({ schedules: z.array(scheduleDefinitionSchema).default([]) }).strict();

const HEADER =
  '# epycloud local schedules: written by `epycloud schedule create|delete|pause|resume --local`,\n' +
  "# run by `epycloud schedule run`. Cron expressions are EventBridge's 6 fields (docs/SCHEDULES.md).\n";

/** Reads the file; no file is no schedules. A ConfigError lists every problem of a bad one. */
async function readSchedules(file: string): Promise<ScheduleDefinition[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${file} is not valid YAML`, [(error as Error).message]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      `${file} is invalid`,
      parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`),
    );
  return parsed.data.schedules;
}

/** Writes the file whole: a temporary file beside it, then a rename (readers see the old or the new one). */
async function writeSchedules(
  file: string,
  schedules: readonly ScheduleDefinition[],
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, HEADER + stringify({ schedules }), 'utf8');
  await rename(temporary, file);
}

/** The local schedules of a local folder (`<local dir>/schedules.yaml`); `create` validates the experiment first. */
export function localScheduleStore(
  localDir: string,
  experiments: ExperimentSource,
  now: () => Date = () => new Date(),
): ScheduleStore {
  const file = join(localDir, LOCAL_SCHEDULES_FILE);
  const find = async (name: string) => {
    const schedules = await readSchedules(file);
    const found = schedules.find((s) => s.name === name);
    if (found === undefined) throw new NotFoundError(`schedule ${name}`, file);
    return { schedules, found };
  };
  return {
    location: file,
    list: () => readSchedules(file),
    create: async ({ definition, experimentDir }) => {
      if ((await readSchedules(file)).some((s) => s.name === definition.name))
        throw new ValidationError(
          `Schedule "${definition.name}" exists in ${file}: delete it first, or pass another --name`,
        );
      await experiments.validate(experimentDir, validationOverrides(definition, now()));
      // re-read: validation may take a while, and another process may have written meanwhile
      await writeSchedules(file, [...(await readSchedules(file)), definition]);
      return definition;
    },
    delete: async (name) => {
      const { schedules, found } = await find(name);
      await writeSchedules(
        file,
        schedules.filter((s) => s !== found),
      );
      return found;
    },
    setState: async (name, state) => {
      const { schedules, found } = await find(name);
      const changed = { ...found, state };
      await writeSchedules(
        file,
        schedules.map((s) => (s === found ? changed : s)),
      );
      return changed;
    },
  };
}
