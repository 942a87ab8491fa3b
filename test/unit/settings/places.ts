import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';

const roots: string[] = [];
afterAll(async () => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

/** A temporary tree: `home/` (the user file under `home/xdg`), `repo/` (a project), `repo/sub/deep` (a cwd below it). */
export async function settingsPlace() {
  const root = await mkdtemp(join(tmpdir(), 'epycloud-settings-'));
  roots.push(root);
  const home = join(root, 'home');
  const repo = join(root, 'repo');
  const cwd = join(repo, 'sub', 'deep');
  await mkdir(cwd, { recursive: true });
  const env = { XDG_CONFIG_HOME: join(home, 'xdg') };
  const userFile = join(home, 'xdg', 'epycloud', 'config.yaml');
  const projectFile = join(repo, 'epycloud.yaml');
  const write = async (file: string, text: string) => {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  };
  return { root, home, repo, cwd, env, userFile, projectFile, write };
}
