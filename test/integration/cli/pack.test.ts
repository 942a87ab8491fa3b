import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowResult } from '../../../lib/backend/types.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

const run = promisify(execFile);

let dir: string;
let installed: string;
let epycloud: string;
let user: string;

/** The environment of a user's shell: no epycloud settings of the test run, a home of its own. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('EPYCLOUD_')),
  );
  return { ...env, HOME: user };
}

// `npm pack` runs prepack in the checkout (it rebuilds dist/cli and dist/stage.mjs), then the
// tarball is installed as a user would, into a prefix of its own: the npm cache first, the registry
// only for what the cache lacks.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epycloud-pack-'));
  await mkdir(join(dir, 'pack'));
  await run('npm', ['pack', '--pack-destination', join(dir, 'pack'), '--loglevel=error'], {
    cwd: PROJECT_ROOT,
    maxBuffer: 16 << 20,
  });
  const [tarball] = await readdir(join(dir, 'pack'));
  const prefix = join(dir, 'prefix');
  await run(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      join(dir, 'pack', tarball!),
    ],
    { cwd: dir, maxBuffer: 16 << 20 },
  );
  installed = join(prefix, 'lib', 'node_modules', 'epycloud');
  epycloud = join(prefix, 'bin', 'epycloud');
  user = join(dir, 'user');
  await mkdir(user);
}, 300_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed CLI, installed globally', () => {
  it('carries the compiled CLI and what builds and runs the stages, not the tests or the CLI sources', async () => {
    for (const file of ['dist/cli/main.mjs', 'dist/stage.mjs', 'docker/Dockerfile', 'cdk.json'])
      expect(existsSync(join(installed, file)), file).toBe(true);
    expect(existsSync(join(installed, 'npm-shrinkwrap.json'))).toBe(true);
    for (const file of ['cli/main.ts', 'test', 'bench', 'docs'])
      expect(existsSync(join(installed, file)), file).toBe(false);
    // postpack removed the lock's copy from the checkout
    expect(existsSync(join(PROJECT_ROOT, 'npm-shrinkwrap.json'))).toBe(false);
  });

  it("prints package.json's version from a folder outside the checkout", async () => {
    const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const { stdout } = await run(epycloud, ['--version'], { cwd: user, env: userEnv() });
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('runs a local experiment as processes, reading and writing ./local of that folder', async () => {
    const config = join(user, 'local', 'forecast', 'experiments', 'tiny', 'config');
    await cp(
      join(installed, 'local', 'forecast', 'experiments', 'examples', 'seir-ma', 'config'),
      config,
      {
        recursive: true,
      },
    );
    const model = await readFile(join(config, 'model.yaml'), 'utf8');
    await writeFile(join(config, 'model.yaml'), model.replace(/n_sims: \d+/, 'n_sims: 20'));
    const { stdout } = await run(
      epycloud,
      ['run', 'workflow', '--local', '--runtime', 'process', '--exp-id', 'tiny', '--json'],
      { cwd: user, env: userEnv(), maxBuffer: 16 << 20 },
    );
    const result = JSON.parse(stdout) as WorkflowResult;
    expect(result).toMatchObject({ status: 'succeeded', runtime: 'process', numTasks: 1 });
    expect(result.outputs).toContain(join(user, 'local', 'bucket', 'tiny', 'runs'));
    expect(existsSync(join(result.outputs!, 'index.json'))).toBe(true);
  });
});
