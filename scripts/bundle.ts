/**
 * `npm run bundle`: bundles the stage entrypoint (pipeline-scripts/main.ts)
 * and every runtime dependency it imports into one ESM file, dist/stage.mjs,
 * which the Docker image runs as `node dist/stage.mjs <stage>`.
 */
import { build } from 'esbuild';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}dist/stage.mjs`;

// Some bundled CommonJS dependencies call require() on Node built-ins.
const banner = "import { createRequire as __epycloudRequire } from 'node:module'; const require = __epycloudRequire(import.meta.url);";

const started = Date.now();
await build({
  entryPoints: [`${root}pipeline-scripts/main.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  banner: { js: banner },
  logLevel: 'warning',
});
const { size } = await stat(outfile);
process.stderr.write(`bundle: ${outfile} (${(size / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms\n`);
