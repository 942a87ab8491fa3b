import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkContract } from '../../../lib/contract-check/check.js';
import { dockerRunner } from '../../../lib/contract-check/runners.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { IMAGES } from '../../../lib/host/images.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { Command } from 'commander';
import { registerContract } from '../../../cli/commands/contract.js';
import { processDeps } from '../../../cli/deps.js';
import type { ContractReport } from '../../../lib/contract-check/check.js';
import { buildPythonModel, prepareDocker } from './docker-env.js';

let release: () => void = () => {};
beforeAll(async () => {
  release = await prepareDocker();
});
afterAll(() => release());

describe('epycloud contract check on an image', () => {
  it('passes the stage image: its stages in containers keep every rule of the contract', async () => {
    const report = await checkContract({
      run: dockerRunner(
        IMAGES.local,
        { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 },
        (stage) => ['node', 'dist/stage.mjs', stage],
      ),
      experimentDir: join(PROJECT_ROOT, 'local', 'forecast', 'experiments', 'examples', 'seir-ma'),
      experiments: localExperiments,
      bucketDirSeen: () => '/local/bucket',
    });
    expect(report.outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(report).toMatchObject({ ok: true, numTasks: 1 });
  });

  it("passes the Python example image (examples/python-model, built on the same base) named by its experiment's stages: config", async () => {
    const build = buildPythonModel('python-model:local');
    expect(build.status, build.stderr).toBe(0);
    // `epycloud contract check --exp-dir examples/python-model/experiment --json`: no --image, no --command
    let out = '';
    const program = new Command('epycloud').exitOverride();
    registerContract(program, () => ({
      ...processDeps(),
      stdout: (text: string) => void (out += text),
      cwd: PROJECT_ROOT,
    }));
    await program.parseAsync(
      ['contract', 'check', '--exp-dir', 'examples/python-model/experiment', '--json'],
      { from: 'user' },
    );
    const report = JSON.parse(out) as ContractReport;
    expect(report.outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(report).toMatchObject({ ok: true, numTasks: 3 });
  });
});
