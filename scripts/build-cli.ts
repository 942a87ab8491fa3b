/**
 * `npm run build:cli`: compiles the CLI (cli/main.ts and everything it
 * imports) into dist/cli/ with esbuild, so the installed `epycloud` runs
 * JavaScript, not tsx. ESM, split into chunks: each `await import()` (a back
 * end, lib/cloud's operations, the S3 driver) becomes a chunk loaded only when
 * a command needs it. npm packages stay external, resolved at run time from
 * the package's node_modules.
 *
 * Every file lands directly in dist/cli/, two levels under the package root
 * like lib/host/paths.ts, so `PROJECT_ROOT` (`../../` of the module) is the
 * package root from the compiled code too.
 *
 * dist/cli/sources.json records the size and mtime of every source compiled:
 * cli/epycloud.mjs runs dist/cli/main.mjs only while they are unchanged.
 */
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist', 'cli');
const staging = `${outdir}.${process.pid}.tmp`;

/** Size and mtime of each source; a source changed during the build is recorded as changed. */
async function stamp(inputs: readonly string[], since: number): Promise<Record<string, number[]>> {
  const sources: Record<string, number[]> = {};
  for (const file of [...inputs].sort()) {
    const { size, mtimeMs } = await stat(join(root, file));
    sources[file] = mtimeMs < since ? [size, mtimeMs] : [-1, -1];
  }
  return sources;
}

const started = Date.now();
try {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: 'cli/main.ts' },
    outdir: staging,
    bundle: true,
    splitting: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const sources = await stamp(Object.keys(result.metafile.inputs), started);
  await writeFile(join(staging, 'sources.json'), `${JSON.stringify({ sources }, null, 1)}\n`);
  // swap the whole folder: a reader sees the old build or the new one (or none: then tsx)
  await rm(outdir, { recursive: true, force: true });
  await rename(staging, outdir);
  const outputs = Object.values(result.metafile.outputs);
  const kib = outputs.reduce((sum, o) => sum + o.bytes, 0) / 1024;
  process.stderr.write(
    `build:cli: ${outdir} (${outputs.length} files, ${kib.toFixed(0)} KiB, ` +
      `${Object.keys(sources).length} sources) in ${Date.now() - started} ms\n`,
  );
} catch (error) {
  // esbuild has printed its errors; anything else is a bug
  if (!(error instanceof Error && 'errors' in error)) throw error;
  process.exitCode = 1;
} finally {
  await rm(staging, { recursive: true, force: true });
}
