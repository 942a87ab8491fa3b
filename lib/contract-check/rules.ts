import type { RunLayout } from '../contract/layout.js';
import type { ManifestEntry } from '../contract/manifest.js';
import { runnerRecordSchema } from '../contract/result-checksum.js';
import { readManifest, readManifestEntries } from '../run/manifest.js';
import { checkResult } from '../run/result-check.js';
import { readOutputFolders } from '../run/output-folders.js';
import type { Storage } from '../storage/index.js';
import { sha256 } from '../run/checksum.js';

/** One broken rule of the stage contract (docs/CONTRACT.md), said for the image's authors. */
export interface Violation {
  readonly rule: string;
  readonly detail: string;
}

const violation = (rule: string, detail: string): Violation => ({ rule, detail });

/**
 * After Stage A: the manifest head exists and parses, N >= 1, every listed
 * input exists and has the sha256 the manifest says. Returns N (0 when the
 * build is unusable), the manifest's entries and what is broken.
 */
export async function checkBuild(
  storage: Storage,
  layout: RunLayout,
): Promise<{ numTasks: number; entries: readonly ManifestEntry[]; violations: Violation[] }> {
  let manifest;
  try {
    manifest = await readManifest(storage, layout);
  } catch (error) {
    return {
      numTasks: 0,
      entries: [],
      violations: [violation('A: manifest', `no valid manifest head: ${(error as Error).message}`)],
    };
  }
  const violations: Violation[] = [];
  if (manifest.numTasks < 1)
    violations.push(violation('A: manifest', `numTasks is ${manifest.numTasks}: expected >= 1`));
  const entries = await readManifestEntries(storage, layout, manifest).catch((error: Error) => {
    violations.push(violation('A: manifest parts', error.message));
    return [];
  });
  if (entries.length !== manifest.numTasks)
    violations.push(
      violation(
        'A: manifest parts',
        `${entries.length} inputs listed for numTasks ${manifest.numTasks}`,
      ),
    );
  for (const entry of entries) {
    const bytes = await storage.get(entry.key).catch(() => undefined);
    if (bytes === undefined)
      violations.push(violation('A: inputs', `input ${entry.key} is missing`));
    else if (sha256(bytes) !== entry.sha256)
      violations.push(violation('A: inputs', `input ${entry.key} does not match its sha256`));
  }
  return { numTasks: manifest.numTasks, entries, violations };
}

/** After Stage B: every task has its result, matching the checksum its summary records, computed from its input. */
export async function checkResults(
  storage: Storage,
  layout: RunLayout,
  entries: readonly ManifestEntry[],
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const entry of entries) {
    const checked = await checkResult(storage, layout, entry.index, entry.sha256);
    if (!checked.ok)
      violations.push(
        violation('B: result', `task ${entry.index}: ${checked.problem}: ${checked.detail}`),
      );
    const summary = await storage
      .getJson(layout.summary('runner', entry.index))
      .catch(() => undefined);
    if (summary !== undefined && !runnerRecordSchema.safeParse(summary).success)
      violations.push(
        violation('B: summary', `summaries/runner_${entry.index}: no valid result checksum record`),
      );
  }
  return violations;
}

/** After Stage C: exactly one finished output folder (index.json written), and no unfinished one. */
export async function checkOutputs(storage: Storage, layout: RunLayout): Promise<Violation[]> {
  const folders = await readOutputFolders(storage, layout);
  const violations: Violation[] = [];
  if (folders.finished.length === 0)
    violations.push(violation('C: outputs', 'no output folder with index.json'));
  if (folders.unfinished.length > 0)
    violations.push(
      violation(
        'C: outputs',
        `output folder(s) without index.json: ${folders.unfinished.join(', ')}`,
      ),
    );
  return violations;
}
