import type { Figure } from '../lib/figures/figure.js';
import { drawSvg, renderPng } from '../lib/figures/render.js';
import type { Logger } from '../lib/log.js';
import type { ReportFigure } from '../lib/report/report-data.js';
import type { Storage } from '../lib/storage/index.js';
import { elapsedMs } from './artifacts.js';

/** The folder of an output folder that holds the figures. */
export const FIGURES_DIR = 'figures/';

/** What the figures of an output folder left: files (name -> rows, always 0) and what the report shows. */
interface Drawn {
  readonly files: Map<string, number>;
  readonly report: ReportFigure[];
}

/**
 * Draws each figure and stores `figures/<name>.svg` and `.png` in the output
 * folder `dir`, in order. A figure's PNG is drawn off the main thread while
 * the next figure's SVG is built; at most one PNG is in flight, so at most
 * two drawings are in memory. Returns the files written and what the report
 * shows.
 */
export async function writeFigures(
  storage: Storage,
  dir: string,
  figures: readonly Figure[],
  log: Logger,
): Promise<Drawn> {
  const drawn: Drawn = { files: new Map(), report: [] };
  // the previous figure's PNG: drawn (off the main thread) and stored while this figure's SVG is built
  let previous: Promise<void> = Promise.resolve();
  for (const figure of figures) {
    const svgStarted = performance.now();
    const svg = await drawSvg(figure).catch(async (error: unknown) => {
      await previous.catch(() => undefined);
      throw error;
    });
    const svgMs = elapsedMs(svgStarted);
    await previous;
    const pngStarted = performance.now();
    previous = renderPng(svg).then(async (png) => {
      const pngMs = elapsedMs(pngStarted);
      const names = [`${FIGURES_DIR}${figure.name}.svg`, `${FIGURES_DIR}${figure.name}.png`];
      await storage.put(`${dir}${names[0]}`, svg);
      await storage.put(`${dir}${names[1]}`, png);
      for (const name of names) drawn.files.set(name, 0);
      drawn.report.push({ name: figure.name, title: figure.title, svg, files: names });
      log.info('figure drawn', {
        figure: figure.name,
        svg_ms: svgMs,
        png_ms: pngMs,
        svg_bytes: svg.length,
        png_bytes: png.length,
      });
    });
    // handled here, rethrown where it is awaited: a failure while the next SVG is built is no unhandled rejection
    previous.catch(() => undefined);
  }
  await previous;
  return drawn;
}
