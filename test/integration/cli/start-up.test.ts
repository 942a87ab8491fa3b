import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

const run = promisify(execFile);

/** Module hooks that append the URL of every module a process loads from node_modules to a file. */
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.includes('/node_modules/')) appendFileSync(process.env.EPYCLOUD_TEST_TRACE, url + '\\n');
  return next(url, context);
}
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epycloud-start-up-'));
  await writeFile(join(dir, 'hooks.mjs'), HOOKS);
  await writeFile(
    join(dir, 'trace.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
  await run(process.execPath, ['--import', import.meta.resolve('tsx'), 'scripts/build-cli.ts'], {
    cwd: PROJECT_ROOT,
  });
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The npm packages `epycloud <args>` loads (one line per module file). */
async function loadedModules(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const trace = join(dir, `trace-${args.join('-')}-${Object.keys(env).join('-')}.txt`);
  await writeFile(trace, '');
  await run(
    process.execPath,
    ['--import', join(dir, 'trace.mjs'), join(PROJECT_ROOT, 'cli', 'epycloud.mjs'), ...args],
    { cwd: dir, env: { ...process.env, ...env, EPYCLOUD_TEST_TRACE: trace } },
  );
  return (await readFile(trace, 'utf8')).split('\n').filter(Boolean);
}

describe('epycloud start-up', () => {
  it.each([[['--help']], [['validate', '--help']]])(
    '%j loads no AWS SDK, no CDK and no settings loader',
    async (args) => {
      const loaded = await loadedModules(args, { EPYCLOUD_CLI: 'compiled' });
      expect(loaded.some((url) => url.includes('/node_modules/commander/'))).toBe(true);
      expect(
        loaded.filter((url) =>
          /\/node_modules\/(@aws-sdk|@smithy|aws-cdk-lib|c12|esbuild)\//.test(url),
        ),
      ).toEqual([]);
    },
  );

  it('runs the compiled CLI, without tsx, while dist/cli is current', async () => {
    const loaded = await loadedModules(['--version']);
    expect(loaded.filter((url) => url.includes('/node_modules/tsx/'))).toEqual([]);
  });
});
