/**
 * `npm run bundle`: bundles the stage entrypoint (pipeline-scripts/main.ts)
 * and every runtime dependency it imports into one ESM file, dist/stage.mjs,
 * which the Docker image runs as `node dist/stage.mjs <stage>`.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleStage } from '../lib/host/bundle.js';

const started = Date.now();
const outfile = await bundleStage(fileURLToPath(new URL('..', import.meta.url)));
const { size } = await stat(outfile);
process.stderr.write(
  `bundle: ${outfile} (${(size / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms\n`,
);
