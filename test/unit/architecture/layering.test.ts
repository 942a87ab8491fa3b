import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type IReporterOutput } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

const { forbidden } = createRequire(import.meta.url)(
  join(PROJECT_ROOT, '.dependency-cruiser.cjs'),
) as { forbidden: unknown[] };
const roots: string[] = [];
afterAll(async () => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

/** Cruises a planted tree of modules (path -> source) with the project's rules; returns "rule: from -> to" per violation. */
async function violationsOf(files: Record<string, string>): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'epycloud-layering-'));
  roots.push(root);
  for (const [path, source] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), source);
  }
  const tops = [...new Set(Object.keys(files).map((path) => path.split('/')[0]!))];
  const output: IReporterOutput = await cruise(tops, {
    validate: true,
    baseDir: root,
    ruleSet: { forbidden } as never,
  });
  const summary = (
    output.output as {
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    }
  ).summary;
  return summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('the layering rules (.dependency-cruiser.cjs, run by npm run lint)', () => {
  it('catch a back end importing another, the port importing an adapter, and a bench importing a test', async () => {
    const violations = await violationsOf({
      'lib/local/workflow.js': "import '../cloud/session.js';\n",
      'lib/cloud/session.js': 'export const session = 1;\n',
      'lib/backend/types.js': "import '../local/workflow.js';\n",
      'bench/engine.js': "import '../test/unit/models.js';\n",
      'test/unit/models.js': 'export const models = 1;\n',
    });
    expect(violations).toEqual([
      'adapters-are-peers:lib/local: lib/local/workflow.js -> lib/cloud/session.js',
      'bench-not-tests: bench/engine.js -> test/unit/models.js',
      'port-only: lib/backend/types.js -> lib/local/workflow.js',
    ]);
  });

  it('catch an import cycle and CDK code importing a lambda', async () => {
    const violations = await violationsOf({
      'lib/run/a.js': "import './b.js';\n",
      'lib/run/b.js': "import './a.js';\n",
      'lib/stacks/pipeline-stack.js': "import '../../lambdas/plan.js';\n",
      'lambdas/plan.js': 'export const plan = 1;\n',
    });
    expect(violations).toEqual([
      'lib-rehearsal-may-run-lambdas: lib/stacks/pipeline-stack.js -> lambdas/plan.js',
      'no-circular: lib/run/a.js -> lib/run/b.js',
    ]);
  });

  it('let a back end use the shared layers', async () => {
    const violations = await violationsOf({
      'lib/local/workflow.js':
        "import '../run/manifest.js';\nimport '../host/exec.js';\nimport '../contract/layout.js';\n",
      'lib/run/manifest.js': "import '../contract/layout.js';\n",
      'lib/host/exec.js': 'export const exec = 1;\n',
      'lib/contract/layout.js': 'export const layout = 1;\n',
    });
    expect(violations).toEqual([]);
  });
});
