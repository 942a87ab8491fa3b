/**
 * Child process of `bench/figures.ts`: runs Stage C over a local bucket with
 * one of the experiment's output configs and prints, as JSON, its time, its
 * own peak memory, the output folder and every 'figure drawn' log line.
 * Usage: `node --import tsx bench/figures-stage-c.ts <bucket> <expId> <runId> <outputConfigFile>`.
 */
import { RunLayout } from '../lib/contract/layout.js';
import { LocalDriver, Storage } from '../lib/storage/index.js';
import { runOutput } from '../pipeline-scripts/output.js';

/** One 'figure drawn' line of Stage C's log. */
export interface DrawnFigure {
  readonly figure: string;
  /** Building the SVG (main thread). */
  readonly svgMs: number;
  /** Drawing the PNG (resvg, off the main thread, overlapping the next figure's SVG). */
  readonly pngMs: number;
}

/** What this process prints. */
export interface StageCRun {
  readonly ms: number;
  readonly maxRssMiB: number;
  readonly outputDir: string;
  readonly drawn: DrawnFigure[];
}

const [root, expId, runId, outputConfigFile] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const drawn: DrawnFigure[] = [];
const log = {
  info: (message: string, fields: Record<string, unknown> = {}) => {
    if (message === 'figure drawn')
      drawn.push({
        figure: String(fields.figure),
        svgMs: Number(fields.svg_ms),
        pngMs: Number(fields.png_ms),
      });
  },
  error: () => {},
};
const started = performance.now();
const summary = await runOutput(
  { layout: new RunLayout(expId, runId), allowPartial: false, outputConfigFile },
  new Storage(new LocalDriver(root)),
  log,
);
const result: StageCRun = {
  ms: performance.now() - started,
  maxRssMiB: process.resourceUsage().maxRSS / 1024,
  outputDir: summary.outputDir,
  drawn,
};
process.stdout.write(JSON.stringify(result));
