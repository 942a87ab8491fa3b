import { cp, mkdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ValidationError } from '../errors.js';
import { exists, PROJECT_FILE_NAMES } from './files.js';
import { createSettingsFile, writeFileAtomic } from './write.js';

/** The project file `init` writes: this folder is the local folder, stages run as processes. */
export const PROJECT_TEMPLATE = `# epycloud project settings (docs/CONFIG.md): every epycloud command run in this
# folder or below reads them. Your user file, a profile, EPYCLOUD_* variables and
# flags override them; \`epycloud config show\` prints each value and its source.

# Run on this machine, as if --local were given (--cloud runs on AWS).
mode: local
# Stages as host processes (no Docker needed); docker runs them in the epycloud:local image.
runtime: process
# This folder is the local folder: experiments in forecast/experiments/, artifacts in bucket/.
local_dir: .
`;

/** What `init` scaffolds: the project folder, the example to copy, where experiments and artifacts go. */
export interface ScaffoldPlan {
  readonly dir: string;
  /** The example experiment folder shipped with epycloud. */
  readonly exampleDir: string;
  /** Where the example lands: `<dir>/forecast/experiments/<id>`. */
  readonly exampleTarget: string;
  /** The local bucket, kept out of git: `<dir>/bucket`. */
  readonly bucketDir: string;
}

/** Appends the lines `.gitignore` lacks (creating it); resolves to whether it changed. */
async function ignore(file: string, lines: readonly string[]): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const missing = lines.filter((line) => !text.split('\n').includes(line));
  if (missing.length === 0) return false;
  const head = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  await writeFileAtomic(file, `${head}${missing.join('\n')}\n`);
  return true;
}

/**
 * Scaffolds a forecast repository: `epycloud.yaml`, the example experiment (kept when it is
 * already there) and a `.gitignore` for the local bucket and downloads. Refuses a folder that
 * already has a project file. Resolves to the paths it wrote, relative to `dir`.
 */
export async function scaffoldProject(plan: ScaffoldPlan): Promise<string[]> {
  for (const name of PROJECT_FILE_NAMES) {
    if (await exists(join(plan.dir, name)))
      throw new ValidationError(`${join(plan.dir, name)} exists: this folder is a project already`);
  }
  await mkdir(plan.dir, { recursive: true });
  const written: string[] = [];
  const rel = (path: string) => relative(plan.dir, path).split(sep).join('/');
  if (await createSettingsFile(join(plan.dir, PROJECT_FILE_NAMES[0]), PROJECT_TEMPLATE))
    written.push(PROJECT_FILE_NAMES[0]);
  if (!(await exists(plan.exampleTarget))) {
    await cp(plan.exampleDir, plan.exampleTarget, { recursive: true });
    written.push(`${rel(plan.exampleTarget)}/`);
  }
  const ignored = [`/${rel(plan.bucketDir)}/`, '/downloads/', '/reports/'];
  if (await ignore(join(plan.dir, '.gitignore'), ignored)) written.push('.gitignore');
  return written;
}
