import { readdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { loadSettings } from '../../../lib/settings/load.js';
import { updateSettingsFile } from '../../../lib/settings/write.js';
import { settingsPlace } from './places.js';

const COMMENTED = `# my settings
mode: local # here by default

# AWS
region: us-east-1
`;

describe('updateSettingsFile', () => {
  it('sets a key, keeping comments and layout, and the loader reads it back', async () => {
    const p = await settingsPlace();
    await p.write(p.userFile, COMMENTED);
    await updateSettingsFile(p.userFile, ['region'], 'eu-west-1');
    await updateSettingsFile(p.userFile, ['parallelism'], 3);
    await updateSettingsFile(p.userFile, ['profiles', 'mine', 'runtime'], 'process');
    expect(await readFile(p.userFile, 'utf8')).toBe(
      `# my settings
mode: local # here by default

# AWS
region: eu-west-1
parallelism: 3
profiles:
  mine:
    runtime: process
`,
    );
    const s = await loadSettings({ env: p.env, cwd: p.cwd, home: p.home });
    expect(s.values).toMatchObject({ region: 'eu-west-1', parallelism: 3 });
    expect(s.profiles.mine?.entries.runtime?.value).toBe('process');
  });

  it('creates a missing file and its folder, and leaves no temporary file', async () => {
    const p = await settingsPlace();
    await updateSettingsFile(p.userFile, ['mode'], 'local');
    expect(await readFile(p.userFile, 'utf8')).toBe('mode: local\n');
    expect(await readdir(dirname(p.userFile))).toEqual(['config.yaml']);
  });

  it('removes a profile, and `profiles` once it is empty', async () => {
    const p = await settingsPlace();
    await p.write(p.userFile, 'mode: local\nprofiles:\n  mine:\n    retries: 1\n');
    await updateSettingsFile(p.userFile, ['profiles', 'mine'], undefined);
    expect(await readFile(p.userFile, 'utf8')).toBe('mode: local\n');
  });

  it('validates before writing: a bad value leaves the file as it was, naming file and key', async () => {
    const p = await settingsPlace();
    await p.write(p.userFile, COMMENTED);
    const error = await updateSettingsFile(p.userFile, ['parallelism'], 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      `${p.userFile}: parallelism: expected an integer >= 1`,
    ]);
    expect(await readFile(p.userFile, 'utf8')).toBe(COMMENTED);
  });

  it('refuses a file that is not YAML, or not a mapping', async () => {
    const p = await settingsPlace();
    await p.write(p.userFile, 'mode: [\n');
    await expect(updateSettingsFile(p.userFile, ['mode'], 'local')).rejects.toThrow(
      /not valid YAML/,
    );
    await p.write(p.userFile, '- a\n');
    await expect(updateSettingsFile(p.userFile, ['mode'], 'local')).rejects.toThrow(
      /expected keys and values/,
    );
  });
});
