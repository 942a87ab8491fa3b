import type { ReportData } from '../../../lib/report/report-data.js';

/** A tiny inline SVG as Vega draws it (namespaces, a clip path, a mark). */
export const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="marks" width="120" height="80" viewBox="0 0 120 80">' +
  '<defs><clipPath id="clip1"><rect x="0" y="0" width="100" height="60"/></clipPath></defs>' +
  '<g clip-path="url(#clip1)"><path class="mark-line" d="M0,60L50,20L100,40"/></g></svg>';

/** A complete report: every section filled, no missing results. */
export function reportData(overrides: Partial<ReportData> = {}): ReportData {
  return {
    run: {
      expId: 'examples/seir-ma',
      runId: '20260301-120000-abcdef01',
      referenceDate: '2026-02-28',
      numTasks: 12,
      resultsUsed: 12,
      missing: [],
      createdAt: '2026-03-01T12:05:00.000Z',
      outputDir: 'outputs/20260301-120500/',
    },
    stages: {
      builder: { totalMs: 1_250, reused: false },
      runner: {
        tasks: 12,
        skipped: 2,
        busyMs: 96_000,
        wallMs: 30_000,
        peakConcurrency: 4,
        efficiency: 0.8,
        retried: [{ index: 7, attempts: 2 }],
        slowest: { index: 3, ms: 11_500 },
      },
      output: { ms: 4_200 },
    },
    figures: [
      {
        name: 'fan_compartments_I',
        title: 'Infectious, median and 90% band',
        svg: SVG,
        files: ['figures/fan_compartments_I.svg', 'figures/fan_compartments_I.png'],
      },
    ],
    posteriors: [
      {
        population: 'MA',
        parameter: 'R0',
        mean: 1.41234,
        median: 1.4,
        q025: 1.1,
        q975: 1.79,
        particles: 1000,
      },
    ],
    lineage: {
      experimentFiles: [{ path: 'config/model.yaml', sha256: 'a'.repeat(64) }],
      outputConfigFile: 'config/output.yaml',
      record: { runId: '20260301-120000-abcdef01', backend: 'local', options: { parallelism: 4 } },
    },
    files: [
      { name: 'quantiles_compartments.csv.gz', rows: 1234 },
      { name: 'figures/fan_compartments_I.svg', rows: 0 },
    ],
    generator: 'epycloud 0.1.0',
    ...overrides,
  };
}
