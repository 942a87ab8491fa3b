import type { RunLayout } from '../lib/contract/layout.js';
import { reportHtml } from '../lib/report/report-html.js';
import type {
  PosteriorSummaryRow,
  ReportData,
  ReportFigure,
  ReportRun,
} from '../lib/report/report-data.js';
import { snapshotEntries } from '../lib/run/experiment-snapshot.js';
import { REPORT_FILE } from '../lib/run/report-file.js';
import { readRunRecord, type RunRecord } from '../lib/run/run-record.js';
import type { Storage } from '../lib/storage/index.js';
import { elapsedMs } from './artifacts.js';
import { stageRecords } from './report-inputs.js';

/** What Stage C knows when it writes the report. */
export interface ReportParts {
  readonly run: ReportRun;
  readonly figures: readonly ReportFigure[];
  readonly posteriors: readonly PosteriorSummaryRow[];
  /** Every file of the folder written so far (name -> rows). */
  readonly files: ReadonlyMap<string, number>;
  readonly outputConfigFile: string | null;
  /** `performance.now()` when Stage C started. */
  readonly startedAt: number;
  readonly generator: string;
}

/** The run record as the report shows it: the files are in the table above, so only their digest. */
function recordShown(record: RunRecord): Record<string, unknown> {
  const { experiment, ...rest } = record;
  return { ...rest, experiment: `sha256 ${experiment.sha256} (${experiment.files.length} files)` };
}

/**
 * Writes `report.html` into the output folder `dir`: the run's summary (from
 * the stages' records in `summaries/`), every figure, posterior summaries,
 * the experiment snapshot's files, the run record (`run.json`) and links to every file. One
 * self-contained page. Returns its file name.
 */
export async function writeReport(
  storage: Storage,
  layout: RunLayout,
  dir: string,
  parts: ReportParts,
): Promise<string> {
  // the record as the run is now (running: its end comes after Stage C); never a failed report
  const record = await readRunRecord(storage, layout).catch(() => undefined);
  const data: ReportData = {
    run: parts.run,
    stages: await stageRecords(storage, layout, elapsedMs(parts.startedAt)),
    figures: parts.figures,
    posteriors: parts.posteriors,
    lineage: {
      experimentFiles: (await snapshotEntries(storage, layout)).map(({ path, sha256 }) => ({
        path,
        sha256,
      })),
      outputConfigFile: parts.outputConfigFile,
      ...(record ? { record: recordShown(record) } : {}),
    },
    files: [...parts.files].map(([name, rows]) => ({ name, rows })),
    generator: parts.generator,
  };
  await storage.put(`${dir}${REPORT_FILE}`, reportHtml(data));
  return REPORT_FILE;
}
