import { createHash } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

// Some bundled CommonJS dependencies call require() on Node built-ins.
const BANNER =
  "import { createRequire as __epycloudRequire } from 'node:module'; const require = __epycloudRequire(import.meta.url);";

/** Where the stage bundle goes: `dist/stage.mjs` of the project. */
function stageBundlePath(projectRoot: string): string {
  return join(projectRoot, 'dist', 'stage.mjs');
}

const options = (projectRoot: string): BuildOptions => ({
  entryPoints: [join(projectRoot, 'pipeline-scripts', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  banner: { js: BANNER },
  logLevel: 'warning',
});

/**
 * Bundles the stage entrypoint (pipeline-scripts/main.ts) and every runtime
 * dependency it imports into one ESM file: what the images run and what the
 * process runtime runs. Written to a temporary name and renamed, so a
 * concurrent reader never sees half a file. Resolves to the bundle's path.
 */
export async function bundleStage(
  projectRoot: string,
  outfile = stageBundlePath(projectRoot),
): Promise<string> {
  const temporary = `${outfile}.${process.pid}.tmp`;
  await build({ ...options(projectRoot), outfile: temporary });
  await rename(temporary, outfile);
  return outfile;
}

/**
 * SHA-256 of the stage bundle this checkout makes, built in memory: images
 * carry it as a label, so a run can tell an image built from other stage code.
 */
export async function stageCodeHash(projectRoot: string): Promise<string> {
  const result = await build({ ...options(projectRoot), outfile: 'stage.mjs', write: false });
  const hash = createHash('sha256');
  for (const file of result.outputFiles) hash.update(file.contents);
  return hash.digest('hex');
}
