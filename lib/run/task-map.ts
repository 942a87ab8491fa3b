import { z } from 'zod';
import type { RunLayout } from '../contract/layout.js';
import { indexFromName } from '../contract/layout.js';
import { NotFoundError, StageError } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { sha256 } from './checksum.js';

const taskMapSchema = z.object({ indexes: z.array(z.number().int().nonnegative()) });

/** Indexes 0..N-1 without a result object, in order (one listing of the results prefix). */
export async function tasksWithoutResult(
  storage: Storage,
  layout: RunLayout,
  numTasks: number,
): Promise<number[]> {
  const present = new Set(
    (await storage.list(layout.resultsPrefix)).map((key) => indexFromName(key, 'result')),
  );
  return Array.from({ length: numTasks }, (_, i) => i).filter((i) => !present.has(i));
}

/** Writes the task map of a re-execution (named by its content, so writing it twice is harmless); returns its key. */
export async function writeTaskMap(
  storage: Storage,
  layout: RunLayout,
  indexes: readonly number[],
): Promise<string> {
  const body = JSON.stringify({ indexes });
  const key = layout.taskMap(sha256(body).slice(0, 16));
  await storage.put(key, body);
  return key;
}

/** The task at `position` of a task map; a missing or malformed map, or a position past it, is a StageError naming the key. */
export async function taskFromMap(
  storage: Storage,
  key: string,
  position: number,
): Promise<number> {
  const raw = await storage.getJson(key).catch((error: unknown) => {
    if (error instanceof NotFoundError) throw new StageError(`Task map ${key} is missing`);
    throw error;
  });
  const parsed = taskMapSchema.safeParse(raw);
  if (!parsed.success) throw new StageError(`Invalid task map ${key}: expected {"indexes": [...]}`);
  const index = parsed.data.indexes[position];
  if (index === undefined) {
    throw new StageError(
      `Position ${position} is out of range of task map ${key} (${parsed.data.indexes.length} task(s))`,
    );
  }
  return index;
}
