import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { validateExpId } from '../contract/ids.js';
import { ConfigError, NotFoundError } from '../errors.js';
import { findExperimentIds, localExperiments, type ExperimentSource } from './experiment-source.js';

/** One problem of an experiment, parsed from lib/experiment's `file: path (line N): message` line. */
export interface ExperimentProblem {
  /** The file, relative to the experiment folder (`config/model.yaml`); absent when the line names none. */
  readonly file?: string;
  /** Where in the file (`model.compartments[0].id`), when the problem is about one field. */
  readonly path?: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** What is wrong and what was expected. */
  readonly message: string;
  /** The whole line, as a run prints it. */
  readonly text: string;
}

/** The outcome of validating one experiment. */
export interface ExperimentValidation {
  readonly expId: string;
  readonly ok: boolean;
  /** The tasks a run would have, when valid. */
  readonly numTasks?: number;
  /** The experiment's own stage image, when it names one (its Stage A decides the tasks). */
  readonly image?: string;
  /** Every problem at once; empty when valid. */
  readonly problems: readonly ExperimentProblem[];
}

/** Which experiments to validate: ids as the run commands take them, or every one. */
export type ExperimentSelection = { readonly all: true } | { readonly expIds: readonly string[] };

const PROBLEM_LINE =
  /^(?<file>[^\s:]+)(?:: (?<path>[^\s:()"]+?))?(?: \(line (?<line>\d+)\))?: (?<message>[\s\S]+)$/;

/** Splits a problem line into file, path, line and message; a line of another shape keeps only its message. */
export function parseProblem(text: string): ExperimentProblem {
  const groups = PROBLEM_LINE.exec(text)?.groups;
  if (groups === undefined) return { message: text, text };
  return {
    file: groups.file!,
    ...(groups.path === undefined ? {} : { path: groups.path }),
    ...(groups.line === undefined ? {} : { line: Number(groups.line) }),
    message: groups.message!,
    text,
  };
}

/** Whether the id's folder under the experiments folder holds a `config/` folder. */
async function hasConfig(experimentsDir: string, expId: string): Promise<boolean> {
  const dir = join(experimentsDir, ...validateExpId(expId).split('/'), 'config');
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** The ids to validate: each named one checked to exist, or every experiment found; a NotFoundError otherwise. */
export async function selectExperiments(
  experimentsDir: string,
  selection: ExperimentSelection,
): Promise<string[]> {
  if ('all' in selection) {
    const found = await findExperimentIds(experimentsDir);
    if (found.length === 0)
      throw new NotFoundError('any experiment (a folder with config/)', experimentsDir);
    return found;
  }
  const expIds = [...new Set(selection.expIds)];
  const known = await Promise.all(expIds.map((id) => hasConfig(experimentsDir, id)));
  const unknown = expIds.filter((_, i) => !known[i]);
  if (unknown.length > 0) throw new NotFoundError(unknown.join(', '), experimentsDir);
  return expIds;
}

/**
 * Validates experiments the way a run does before it starts (schemas,
 * cross-references, plan bounds, every task input built), one at a time, and
 * reports every problem of each. A ConfigError becomes that experiment's
 * problems; anything else is thrown. Unknown ids throw a NotFoundError before
 * any is validated.
 */
export async function validateExperiments(
  experimentsDir: string,
  selection: ExperimentSelection,
  source: ExperimentSource = localExperiments,
): Promise<ExperimentValidation[]> {
  const results: ExperimentValidation[] = [];
  for (const expId of await selectExperiments(experimentsDir, selection)) {
    try {
      const checked = await source.validate(join(experimentsDir, ...expId.split('/')));
      results.push(
        checked.stageImage === undefined
          ? { expId, ok: true, numTasks: checked.numTasks, problems: [] }
          : { expId, ok: true, image: checked.stageImage.image, problems: [] },
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const lines = error.problems.length > 0 ? error.problems : [error.message];
      results.push({ expId, ok: false, problems: lines.map(parseProblem) });
    }
  }
  return results;
}
