import { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { printPdf, requireChromium } from '../../lib/host/chromium.js';
import { DEFAULT_LOCAL_DIR } from '../../lib/host/paths.js';
import type { RunLayout } from '../../lib/contract/layout.js';
import { downloadReport, findReport, REPORT_FILE } from '../../lib/run/report-file.js';
import type { Storage } from '../../lib/storage/storage.js';
import { withCloudTargetOptions } from '../cloud-options.js';
import { processCloudDeps, type CloudCommandDeps } from '../deps.js';
import { parseOptions } from '../options.js';
import { runStorage, runStorageFields } from '../run-storage.js';

const schema = z.object({
  ...runStorageFields,
  outputDir: z.string().min(1).optional(),
  to: z.string().min(1).default('reports'),
  open: z.boolean().default(false),
  pdf: z.boolean().default(false),
  json: z.boolean().default(false),
});
type Options = z.infer<typeof schema>;

/** What `report` prints with `--json`. */
interface ReportJson {
  readonly expId: string;
  readonly runId: string;
  readonly outputDir: string;
  readonly report: string;
  readonly pdf?: string;
}

/** The image a run's experiment names as its own, for the message when its folder has no report (none when unreadable: the usual message). */
async function ownImageOf(storage: Storage, layout: RunLayout): Promise<string | undefined> {
  const { readRunStageImage } = await import('../../lib/experiment/stage-image.js');
  return (await readRunStageImage(storage, layout).catch(() => undefined))?.image;
}

/** The report on this machine: its file in the local bucket, or a download of the cloud one under --to. */
async function locateReport(deps: CloudCommandDeps, o: Options): Promise<Omit<ReportJson, 'pdf'>> {
  const storage = await runStorage(deps, o);
  const found = await findReport(storage, {
    ...o,
    ownImageOf: (layout) => ownImageOf(storage, layout),
  });
  if (found.passedOver.length > 0)
    deps.stderr(
      `report: newer run(s) without a finished output passed over: ${found.passedOver.join(', ')}\n`,
    );
  deps.stderr(`report: run ${found.runId}, output folder ${found.outputDir}\n`);
  const report = o.local
    ? resolve(storage.location, found.key)
    : await downloadReport(storage, found, resolve(deps.cwd, o.to));
  return { expId: found.expId, runId: found.runId, outputDir: found.outputDir, report };
}

async function report(deps: CloudCommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(schema, raw);
  const chromium = o.pdf ? await requireChromium(deps.env) : undefined;
  const found = await locateReport(deps, o);
  const pdf =
    chromium === undefined
      ? undefined
      : await printPdf(found.report, join(dirname(found.report), 'report.pdf'), chromium);
  const result: ReportJson = { ...found, ...(pdf === undefined ? {} : { pdf }) };
  if (o.open) {
    const { default: open } = await import('open');
    await open(found.report);
  }
  deps.stdout(
    o.json ? `${JSON.stringify(result)}\n` : `${[found.report, pdf].filter(Boolean).join('\n')}\n`,
  );
}

/** Registers `report`: a run's `report.html` (local path, or downloaded), optionally opened or printed to PDF. */
export function registerReport(
  program: Command,
  deps: () => CloudCommandDeps = processCloudDeps,
): void {
  withCloudTargetOptions(
    program
      .command('report')
      .description(
        `find a run's ${REPORT_FILE} (download it from the cloud), open it or print it to PDF`,
      ),
  )
    .requiredOption('--exp-id <id>', 'experiment id')
    .option('--run-id <id>', 'run (default: the newest with a finished output folder)')
    .option(
      '--output-dir <stamp>',
      'output folder stamp, e.g. 20260301-120500 (default: the newest finished)',
    )
    .option(
      '--to <dir>',
      `cloud: download to <dir>/<exp-id>/<run-id>/<stamp>/${REPORT_FILE}`,
      'reports',
    )
    .option('--open', 'open the report in the default browser')
    .option('--pdf', 'also print it to report.pdf beside it (needs Chromium or Chrome)')
    .option('--local', 'from the local bucket folder instead of S3')
    .option('--local-dir <dir>', `local folder (default ${DEFAULT_LOCAL_DIR})`)
    .option('--json', 'print JSON: {expId, runId, outputDir, report, pdf?}')
    .action(async (options: unknown) => report(deps(), options));
}
