import { formatCount, formatIndexes, formatMs, formatPercent } from './format.js';
import { fileHref, html, trusted, type SafeHtml } from './html.js';
import type { ReportFigure, ReportRun, ReportStages } from './report-data.js';

/** One section of the page, listed in its table of contents. */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly body: SafeHtml;
  /** Entries under the section's own in the table of contents (the figures). */
  readonly entries?: readonly { readonly id: string; readonly title: string }[];
}

/** One row of a two-column table of facts. */
export const fact = (label: string, value: string | SafeHtml): SafeHtml =>
  html`<tr>
    <th scope="row">${label}</th>
    <td>${value}</td>
  </tr>`;

/** The page header: what ran, how many tasks, and a warning when results are missing. */
export function runHeader(run: ReportRun): SafeHtml {
  const missing = run.missing.length;
  const warning =
    missing > 0 &&
    html`<p class="warning" role="alert">
      <strong>Partial results:</strong> ${formatCount(missing)} of ${formatCount(run.numTasks)}
      task(s) have no result and are left out: ${formatIndexes(run.missing)}
    </p>`;
  return html`<header>
    <h1>Report: ${run.expId}</h1>
    <table class="facts">
      ${fact('Experiment', run.expId)} ${fact('Run', run.runId)}
      ${run.referenceDate !== undefined && fact('Reference date', run.referenceDate)}
      ${fact('Tasks (N)', formatCount(run.numTasks))}
      ${fact('Results used', `${formatCount(run.resultsUsed)} of ${formatCount(run.numTasks)}`)}
      ${fact('Output folder', run.outputDir)} ${fact('Written', run.createdAt)}
    </table>
    ${warning}
  </header>`;
}

function runnerFacts(runner: NonNullable<ReportStages['runner']>): SafeHtml {
  const retried = runner.retried.map((r) => `${r.index} (${r.attempts} attempts)`).join(', ');
  return html`<h3>Stage B tasks</h3>
    <table class="facts">
      ${fact('Tasks', formatCount(runner.tasks))}
      ${fact('Skipped (result already there)', formatCount(runner.skipped))}
      ${fact('Busy time (sum of tasks)', formatMs(runner.busyMs))}
      ${runner.wallMs !== undefined && fact('Wall time', formatMs(runner.wallMs))}
      ${runner.peakConcurrency !== undefined && fact('Peak concurrency', formatCount(runner.peakConcurrency))}
      ${runner.efficiency !== undefined && fact('Efficiency', formatPercent(runner.efficiency))}
      ${runner.slowest !== undefined && fact('Slowest task', `${runner.slowest.index} (${formatMs(runner.slowest.ms)})`)}
      ${fact('Retried tasks', retried === '' ? 'none' : retried)}
    </table>`;
}

const stageRow = (stage: string, time: string, note: string): SafeHtml =>
  html`<tr>
    <th scope="row">${stage}</th>
    <td class="num">${time}</td>
    <td>${note}</td>
  </tr>`;

function runnerRow(runner: ReportStages['runner']): SafeHtml {
  if (runner === undefined) return stageRow('B (runner)', '—', 'no summary');
  const wall = runner.wallMs !== undefined;
  const note = `${formatCount(runner.tasks)} task(s); ${wall ? 'first start to last end' : 'sum of task times'}`;
  return stageRow('B (runner)', formatMs(runner.wallMs ?? runner.busyMs), note);
}

/** Stage times (A, B, C) and the Stage B task figures. */
export function stagesSection(stages: ReportStages): Section {
  const { builder, runner, output } = stages;
  const body = html`<table>
      <thead>
        <tr>
          <th scope="col">Stage</th>
          <th scope="col">Time</th>
          <th scope="col">Notes</th>
        </tr>
      </thead>
      <tbody>
        ${builder === undefined ? stageRow('A (builder)', '—', 'no summary') : stageRow('A (builder)', formatMs(builder.totalMs), builder.reused ? 'inputs reused' : 'inputs built')}
        ${runnerRow(runner)}
        ${stageRow('C (output)', formatMs(output.ms), 'up to writing this report')}
      </tbody>
    </table>
    ${runner && runnerFacts(runner)}`;
  return { id: 'stages', title: 'Stages', body };
}

const figureId = (figure: ReportFigure): string => `figure-${figure.name}`;

/**
 * Gives the ids inside one inline SVG a prefix of their own (and the
 * references to them), so two figures' clip paths and gradients never clash.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
}

function figureBlock(figure: ReportFigure, index: number): SafeHtml {
  const links = figure.files.map(
    (file, i) => html`${i > 0 && ' · '}<a href="${fileHref(file)}">${file.split('/').at(-1)}</a>`,
  );
  return html`<figure id="${figureId(figure)}">
    <div class="chart">${trusted(scopeSvgIds(figure.svg, `f${index}-`))}</div>
    <figcaption>
      ${figure.title}${links.length > 0 && html` <span class="files">(${links})</span>`}
    </figcaption>
  </figure>`;
}

/** Every figure, its SVG inline, its files linked; a note when there is none. */
export function figuresSection(figures: readonly ReportFigure[]): Section {
  const body =
    figures.length === 0
      ? html`<p class="note">This output folder has no figures.</p>`
      : html`${figures.map(figureBlock)}`;
  const entries = figures.map((f) => ({ id: figureId(f), title: f.title }));
  return { id: 'figures', title: 'Figures', body, entries };
}
