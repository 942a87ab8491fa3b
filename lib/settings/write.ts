import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { checkSettingsFile } from './files.js';

/** Writes a file whole or not at all: a temporary file beside it, then a rename. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

const readOrEmpty = (file: string): Promise<string> =>
  readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });

/**
 * Sets the value at `path` of a settings file (`['runtime']`, `['profiles', 'dev', 'mode']`), or
 * removes it when `value` is undefined (and `profiles` once it is empty), keeping the file's
 * comments and layout (yaml's Document API). Creates the file and its folder when missing. The
 * result is validated before it is written (atomically); a ConfigError lists every problem.
 */
export async function updateSettingsFile(
  file: string,
  path: readonly string[],
  value: unknown,
): Promise<void> {
  const { parseDocument, isMap } = await import('yaml');
  const doc = parseDocument(await readOrEmpty(file));
  const broken = doc.errors[0]?.message.split('\n')[0];
  if (broken !== undefined)
    throw new ConfigError('Invalid settings', [`${file}: not valid YAML: ${broken}`]);
  if (doc.contents !== null && !isMap(doc.contents))
    throw new ConfigError('Invalid settings', [
      `${file}: (top): expected keys and values, e.g. "mode: local"`,
    ]);
  if (value === undefined) {
    doc.deleteIn(path);
    const profiles = doc.get('profiles');
    if (isMap(profiles) && profiles.items.length === 0) doc.delete('profiles');
  } else doc.setIn(path, value);
  const { problems } = checkSettingsFile(doc.toJS(), file);
  if (problems.length > 0) throw new ConfigError(`Not written: ${file}`, problems);
  await writeFileAtomic(file, String(doc));
}

/** Creates a settings file holding `text` unless it exists; resolves to whether it created it. */
export async function createSettingsFile(file: string, text: string): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true });
  return writeFile(file, text, { flag: 'wx' }).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return false;
      throw error;
    },
  );
}
