import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerContract } from '../../../cli/commands/contract.js';
import { processDeps } from '../../../cli/deps.js';
import { reportError } from '../../../cli/error-report.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epycloud-contract-cli-'));
  await mkdir(join(dir, 'plain', 'config'), { recursive: true });
  await writeFile(join(dir, 'plain', 'config', 'model.txt'), 'the image reads this\n');
  await mkdir(join(dir, 'broken', 'config'), { recursive: true });
  await writeFile(join(dir, 'broken', 'config', 'stages.yaml'), 'stages:\n  image: Not An Image\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `epycloud contract check ...args` in-process; resolves to the error's exit code and message (0 and '' when it succeeds). */
async function contractCheck(...args: string[]): Promise<{ exitCode: number; message: string }> {
  const program = new Command('epycloud').exitOverride();
  registerContract(program, () => ({ ...processDeps(), stdout: () => {}, cwd: dir }));
  try {
    await program.parseAsync(['contract', 'check', ...args], { from: 'user' });
    return { exitCode: 0, message: '' };
  } catch (error) {
    const report = reportError(error);
    return { exitCode: report.exitCode, message: (error as Error).message };
  }
}

describe('epycloud contract check: what it runs', () => {
  it('asks for an image, a command or a stages: config when the folder names none', async () => {
    const { exitCode, message } = await contractCheck('--exp-dir', 'plain');
    expect(exitCode).toBe(2);
    expect(message).toContain('or an --exp-dir whose stages: config names the image');
  });

  it('reports a broken stages: config by file, field and line before running anything', async () => {
    const { exitCode, message } = await contractCheck('--exp-dir', 'broken');
    expect(exitCode).toBe(2);
    expect(message).toMatch(
      /config\/stages\.yaml: stages\.image \(line 2\): expected an image reference/,
    );
  });
});
