/**
 * Everything `report.html` shows, gathered by Stage C from the run's storage.
 * Pure data: the HTML builder (report-html.ts) turns it into one
 * self-contained page.
 */

/** The run the report describes. */
export interface ReportRun {
  readonly expId: string;
  readonly runId: string;
  /** The forecast's reference date (a Saturday), when the run is a forecast. */
  readonly referenceDate?: string;
  readonly numTasks: number;
  readonly resultsUsed: number;
  /** Task indexes without a result (partial results). */
  readonly missing: readonly number[];
  /** When Stage C started writing this output folder (ISO). */
  readonly createdAt: string;
  /** The output folder, relative to the run (`outputs/<stamp>/`). */
  readonly outputDir: string;
}

/** Times and counts of each stage, as the stages recorded them in `summaries/`. */
export interface ReportStages {
  readonly builder?: { readonly totalMs: number; readonly reused: boolean };
  readonly runner?: {
    /** Task summaries found (at most N). */
    readonly tasks: number;
    /** Tasks whose result was already there (nothing recomputed). */
    readonly skipped: number;
    /** Sum of the tasks' own times. */
    readonly busyMs: number;
    /** First task start to last task end, when the summaries carry times. */
    readonly wallMs?: number;
    /** The most tasks seen running at once. */
    readonly peakConcurrency?: number;
    /** busyMs / (peakConcurrency × wallMs), 0..1. */
    readonly efficiency?: number;
    /** Tasks that needed more than one attempt, with their attempt count. */
    readonly retried: readonly { readonly index: number; readonly attempts: number }[];
    /** The slowest task. */
    readonly slowest?: { readonly index: number; readonly ms: number };
  };
  /** Stage C up to writing the report. */
  readonly output: { readonly ms: number };
}

/** One figure in the report: its SVG inline, its files linked. */
export interface ReportFigure {
  readonly name: string;
  readonly title: string;
  readonly svg: string;
  /** File names relative to the output folder (`figures/<name>.svg`, `.png`). */
  readonly files: readonly string[];
}

/** One row of a posterior summary: a free quantity of one location, weighted over its particles. */
export interface PosteriorSummaryRow {
  readonly population: string;
  readonly parameter: string;
  readonly mean: number;
  readonly median: number;
  readonly q025: number;
  readonly q975: number;
  readonly particles: number;
}

/** Where the run came from: what its records hold. */
export interface ReportLineage {
  /** The experiment snapshot's files with their SHA-256. */
  readonly experimentFiles: readonly { readonly path: string; readonly sha256: string }[];
  /** The output config used (a file of the snapshot, or the experiment's own). */
  readonly outputConfigFile: string | null;
  /** The run record (`run.json`), when the run wrote one: shown as is. */
  readonly record?: Readonly<Record<string, unknown>>;
}

/** One file of the output folder, linked from the report. */
export interface ReportFile {
  readonly name: string;
  readonly rows: number;
}

/** The whole report. */
export interface ReportData {
  readonly run: ReportRun;
  readonly stages: ReportStages;
  readonly figures: readonly ReportFigure[];
  readonly posteriors: readonly PosteriorSummaryRow[];
  readonly lineage: ReportLineage;
  readonly files: readonly ReportFile[];
  /** Which epycloud wrote it. */
  readonly generator: string;
}
