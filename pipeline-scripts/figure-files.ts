import type { Figure } from '../lib/figures/figure.js';
import { renderFigure } from '../lib/figures/render.js';
import type { ReportFigure } from '../lib/report/report-data.js';
import type { Logger } from '../lib/log.js';
import type { Storage } from '../lib/storage/index.js';
import { elapsedMs } from './artifacts.js';

/** The folder of an output folder that holds the figures. */
export const FIGURES_DIR = 'figures/';

/**
 * Draws each figure and stores `figures/<name>.svg` and `.png` in the output
 * folder `dir`, one figure at a time (only one drawing in memory). Returns
 * the files written (name -> rows, always 0) and what the report shows.
 */
export async function writeFigures(
  storage: Storage,
  dir: string,
  figures: readonly Figure[],
  log: Logger,
): Promise<{ files: Map<string, number>; report: ReportFigure[] }> {
  const files = new Map<string, number>();
  const report: ReportFigure[] = [];
  for (const figure of figures) {
    const started = performance.now();
    const { svg, png } = await renderFigure(figure);
    log.info('figure drawn', {
      figure: figure.name,
      ms: elapsedMs(started),
      svg_bytes: svg.length,
    });
    const names = [`${FIGURES_DIR}${figure.name}.svg`, `${FIGURES_DIR}${figure.name}.png`];
    await storage.put(`${dir}${names[0]}`, svg);
    await storage.put(`${dir}${names[1]}`, png);
    for (const name of names) files.set(name, 0);
    report.push({ name: figure.name, title: figure.title, svg, files: names });
  }
  return { files, report };
}
