import { createHash } from 'node:crypto';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FONT_FILES } from '../figures/fonts.js';
import type { BuildOptions } from 'esbuild';

// Some bundled CommonJS dependencies call require() on Node built-ins.
const BANNER =
  "import { createRequire as __epycloudRequire } from 'node:module'; const require = __epycloudRequire(import.meta.url);";

/** Packages the bundle loads at run time instead of inlining: native addons (and their platform binaries). */
export const NATIVE_PACKAGES = ['@resvg/resvg-js'] as const;

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
  // resvg is a native addon: it stays a package beside the bundle (the images copy it deliberately)
  external: [...NATIVE_PACKAGES],
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
  // esbuild loads when something bundles: importing it costs the CLI's start-up ~0.15 s of CPU
  const { build } = await import('esbuild');
  await build({ ...options(projectRoot), outfile: temporary });
  await copyFonts(projectRoot, dirname(outfile));
  await rename(temporary, outfile);
  return outfile;
}

/** Copies the figures' fonts to `fonts/` beside the bundle, where the stage looks first (images have no system fonts). */
async function copyFonts(projectRoot: string, bundleDir: string): Promise<void> {
  const from = join(projectRoot, 'node_modules', 'dejavu-fonts-ttf', 'ttf');
  await mkdir(join(bundleDir, 'fonts'), { recursive: true });
  for (const file of FONT_FILES) await copyFile(join(from, file), join(bundleDir, 'fonts', file));
}

/**
 * SHA-256 of the stage bundle this checkout makes, built in memory: images
 * carry it as a label, so a run can tell an image built from other stage code.
 */
export async function stageCodeHash(projectRoot: string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({ ...options(projectRoot), outfile: 'stage.mjs', write: false });
  const hash = createHash('sha256');
  for (const file of result.outputFiles) hash.update(file.contents);
  return hash.digest('hex');
}
