import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractProbes } from './probes.js';
import type { CheckOptions, ContractReport } from './types.js';

export type { CheckOptions, ContractReport, RuleOutcome, StageRunner } from './types.js';

/**
 * Runs the three stages of an image on a tiny case in a local bucket and
 * reports every contract rule it breaks (docs/CONTRACT.md, "Checking an
 * image"): a stage without its environment must fail; Stage A writes a
 * manifest (N >= 1) over inputs that match it and keeps it when run again;
 * Stage B refuses a missing index and an index >= N, writing nothing for
 * them, computes every task (the last as an array child with an offset) with
 * its checksum record, and is idempotent; Stage C finishes one output folder
 * with index.json; nothing is ever seen half-written by a reader.
 */
export async function checkContract(options: CheckOptions): Promise<ContractReport> {
  const root = options.workDir ?? (await mkdtemp(join(tmpdir(), 'epycloud-contract-')));
  const probes = new ContractProbes(options, join(root, 'bucket'));
  try {
    await options.experiments.snapshot(options.experimentDir, probes.storage, probes.layout);
    const build = await probes.builder();
    if (build.numTasks > 0) {
      await probes.runner(build.numTasks, build.entries);
      await probes.output(build.numTasks);
    }
    const outcomes = probes.outcomes;
    return { ok: outcomes.every((o) => o.ok), numTasks: build.numTasks, outcomes };
  } finally {
    if (options.workDir === undefined) await rm(root, { recursive: true, force: true });
  }
}
