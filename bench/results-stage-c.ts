/**
 * Child process of `bench/results.ts`: runs Stage C over a local bucket and
 * prints `{ ms, maxRssMiB }` as JSON, so the parent reads this process's peak memory alone.
 * Usage: `node --import tsx bench/results-stage-c.ts <bucket> <expId> <runId>`.
 */
import { RunLayout } from '../lib/contract/layout.js';
import { LocalDriver, Storage } from '../lib/storage/index.js';
import { runOutput } from '../pipeline-scripts/output.js';

const [root, expId, runId] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
const silent = { info: () => {}, error: () => {} };
await runOutput(
  { layout: new RunLayout(expId, runId), allowPartial: false },
  new Storage(new LocalDriver(root)),
  silent,
);
process.stdout.write(
  JSON.stringify({
    ms: performance.now() - started,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
