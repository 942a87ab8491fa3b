import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerValidate } from '../../../cli/commands/validate.js';
import { reportError } from '../../../cli/error-report.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { SIR_MODEL } from '../experiment/fixtures.js';

let local: string;
beforeAll(async () => {
  local = await mkdtemp(join(tmpdir(), 'epycloud-validate-'));
  const put = async (expId: string, text: string) => {
    const dir = join(local, 'forecast', 'experiments', ...expId.split('/'), 'config');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'model.yaml'), text);
  };
  await put('good/sir', SIR_MODEL);
  await put('bad', SIR_MODEL.replace('  random_seed: 1\n', '  random_seed: 1\n  random_seed: 2\n'));
  await put('own', 'stages:\n  image: python-model:local\n');
});
afterAll(async () => rm(local, { recursive: true, force: true }));

/** Runs `validate` in-process with its output captured; resolves to stdout and the exit code main would use. */
async function validate(...args: string[]): Promise<{ out: string; exitCode: number }> {
  let out = '';
  const program = new Command('epycloud').exitOverride();
  registerValidate(program, () => ({ stdout: (s) => (out += s), env: {}, cwd: '/' }));
  try {
    await program.parseAsync(['node', 'epycloud', 'validate', '--local-dir', local, ...args]);
    return { out, exitCode: 0 };
  } catch (error) {
    return { out, exitCode: reportError(error).exitCode };
  }
}

const DUPLICATE =
  'config/model.yaml: model.random_seed (line 4): duplicate key "random_seed" (first on line 3): expected each key once';

describe('epycloud validate', () => {
  it('prints OK for each valid experiment and exits 0', async () => {
    expect(await validate('good/sir')).toEqual({ out: 'good/sir: OK (1 task)\n', exitCode: 0 });
  });

  it('names the image of an experiment run by its own image, in text and JSON', async () => {
    expect(await validate('own')).toEqual({
      out: 'own: OK (stages in image python-model:local; its Stage A decides the tasks)\n',
      exitCode: 0,
    });
    expect(JSON.parse((await validate('own', '--json')).out)).toEqual({
      experiments: [{ expId: 'own', ok: true, image: 'python-model:local', problems: [] }],
    });
  });

  it('prints every experiment with --all, the invalid ones with their problems, and exits 2', async () => {
    expect(await validate('--all')).toEqual({
      out: `bad: 1 problem\n  - ${DUPLICATE}\ngood/sir: OK (1 task)\nown: OK (stages in image python-model:local; its Stage A decides the tasks)\n`,
      exitCode: 2,
    });
  });

  it('prints {experiments: [...]} with --json, each problem split into file, path, line, message', async () => {
    const { out, exitCode } = await validate('bad', 'good/sir', '--json');
    expect(exitCode).toBe(2);
    expect(JSON.parse(out)).toEqual({
      experiments: [
        {
          expId: 'bad',
          ok: false,
          problems: [
            {
              file: 'config/model.yaml',
              path: 'model.random_seed',
              line: 4,
              message: 'duplicate key "random_seed" (first on line 3): expected each key once',
              text: DUPLICATE,
            },
          ],
        },
        { expId: 'good/sir', ok: true, numTasks: 1, problems: [] },
      ],
    });
  });

  it('exits 3 for an unknown experiment id, before validating any', async () => {
    expect(await validate('good/sir', 'good/nope')).toEqual({ out: '', exitCode: 3 });
  });

  it('exits 2 without ids or --all, with both, and for an id that breaks the rules', async () => {
    expect((await validate()).exitCode).toBe(2);
    expect((await validate('--all', 'bad')).exitCode).toBe(2);
    expect((await validate('../bad')).exitCode).toBe(2);
  });
});

/** Where the AWS SDK (and the CDK library) live. */
const AWS = 'node_modules/(@aws-sdk|@smithy|aws-cdk-lib)/';

/** The modules a file loads at run time: static and dynamic imports, followed into packages but not into the AWS SDK. */
async function modulesLoadedBy(file: string): Promise<string[]> {
  const result = await cruise([file], {
    baseDir: PROJECT_ROOT,
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: false, // type-only imports are erased: not loaded
    doNotFollow: { path: AWS },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
    },
  });
  return (result.output as ICruiseResult).modules.map((m) => m.source);
}

describe('the modules validate loads', () => {
  it('include no AWS SDK module (dependency-cruiser over its whole import graph)', async () => {
    const modules = await modulesLoadedBy('cli/commands/validate.ts');
    expect(modules).toContain('lib/experiment/snapshot.ts'); // reached through a lazy import
    expect(modules).toContain('node_modules/yaml/dist/index.js'); // and followed into packages
    expect(modules.filter((m) => new RegExp(AWS).test(m))).toEqual([]);
    // the check sees the SDK where it is imported
    expect(
      (await modulesLoadedBy('lib/cloud/clients.ts')).some((m) => new RegExp(AWS).test(m)),
    ).toBe(true);
  }, 60_000);
});
