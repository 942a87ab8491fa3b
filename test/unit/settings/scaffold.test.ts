import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { localPaths, PROJECT_ROOT } from '../../../lib/host/paths.js';
import { loadSettings } from '../../../lib/settings/load.js';
import { scaffoldProject } from '../../../lib/settings/scaffold.js';
import { settingsPlace } from './places.js';

const EXAMPLE = 'examples/seir-ma';

async function scaffold(dir: string) {
  const paths = localPaths('.', dir);
  return scaffoldProject({
    dir,
    exampleDir: join(localPaths('local', PROJECT_ROOT).experimentsDir, EXAMPLE),
    exampleTarget: join(paths.experimentsDir, EXAMPLE),
    bucketDir: paths.bucketDir,
  });
}

describe('scaffoldProject (epycloud init)', () => {
  it('writes a project whose settings run locally from it and whose example validates', async () => {
    const p = await settingsPlace();
    const dir = join(p.root, 'my-forecasts');
    expect(await scaffold(dir)).toEqual([
      'epycloud.yaml',
      `forecast/experiments/${EXAMPLE}/`,
      '.gitignore',
    ]);
    const s = await loadSettings({ env: p.env, cwd: dir, home: p.home });
    expect(s.values).toMatchObject({ mode: 'local', runtime: 'process', local_dir: dir });
    const exp = join(localPaths(s.values.local_dir!, dir).experimentsDir, EXAMPLE);
    await expect(localExperiments.validate(exp)).resolves.toMatchObject({ numTasks: 1 });
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe(
      '/bucket/\n/downloads/\n/reports/\n',
    );
  });

  it('adds to an existing .gitignore, and refuses a folder that is a project already', async () => {
    const p = await settingsPlace();
    await writeFile(join(p.repo, '.gitignore'), 'node_modules\n/bucket/');
    await scaffold(p.repo);
    expect(await readFile(join(p.repo, '.gitignore'), 'utf8')).toBe(
      'node_modules\n/bucket/\n/downloads/\n/reports/\n',
    );
    await expect(scaffold(p.repo)).rejects.toThrow(/epycloud\.yaml exists/);
  });
});
