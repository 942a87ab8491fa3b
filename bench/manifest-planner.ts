/**
 * Child process of `bench/manifest.ts`: runs PlanStageB's logic over a local
 * bucket and prints `{ maxRssMiB, heapMiB }`, this process's own memory.
 * Usage: `node --import tsx bench/manifest-planner.ts <bucket> <expId> <runId>`.
 */
import { planRun } from '../lambdas/plan-stage-b/plan.js';
import type { RunSpec } from '../lib/contract/pipeline.js';
import { LocalDriver, Storage } from '../lib/storage/index.js';

const [root, expId, runId] = process.argv.slice(2) as [string, string, string];
const size = { vcpus: 1, memoryMiB: 2048 };
const run = {
  expId,
  runId,
  dirPrefix: '',
  maxParallelism: null,
  outputConfigFile: null,
  resources: { builder: size, runner: size, output: size },
} as unknown as RunSpec;
await planRun({ run }, { storage: new Storage(new LocalDriver(root)), bucket: 'bench' });
process.stdout.write(
  JSON.stringify({
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
  }),
);
