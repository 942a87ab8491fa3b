import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'epycloud-init-it-'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('epycloud init, then a run from the new folder', () => {
  it('runs the example with no flag: local and host processes, as epycloud.yaml says', async () => {
    const env = { XDG_CONFIG_HOME: join(root, 'xdg') };
    const init = await runCli(['init', 'my-forecasts'], env, root);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stderr).toMatch(
      /cd my-forecasts && epycloud run workflow --exp-id examples\/seir-ma/,
    );
    const dir = join(root, 'my-forecasts');
    const run = await runCli(['run', 'workflow', '--exp-id', 'examples/seir-ma'], env, dir);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^Run \S+ of examples\/seir-ma: succeeded in .* \(local, process\)$/m,
    );
    const outputs = /^ {2}outputs: (.+)$/m.exec(run.stdout)?.[1];
    expect(outputs?.startsWith(join(dir, 'bucket', 'examples', 'seir-ma', 'runs'))).toBe(true);
    expect(await readdir(outputs!)).toEqual(expect.arrayContaining(['index.json', 'report.html']));
  });
});
