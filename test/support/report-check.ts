import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { launchTestBrowser, openOffline, testChromium, type OfflinePage } from './browser.js';

/** Where browser tests leave their screenshots. */
export const TEST_ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** Each figure of an opened report: its id, its SVG's box and how many drawn marks it holds. */
export async function drawnFigures(opened: OfflinePage) {
  return opened.page.$$eval('figure', (figures) =>
    figures.map((figure) => {
      const svg = figure.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      const marks = [...(svg?.querySelectorAll('.role-mark path, .role-mark line') ?? [])].filter(
        (mark) => mark.tagName === 'line' || (mark.getAttribute('d') ?? '').length > 0,
      );
      return {
        id: figure.id,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        marks: marks.length,
      };
    }),
  );
}

/**
 * Opens a run's `report.html` in the system Chromium with the network cut
 * off and requires: no console or page error, no request, one drawn figure
 * per name in `figures` (a non-blank SVG holding marks), in that order. Saves
 * a screenshot of the first screen as `test-artifacts/<screenshot>.png`.
 */
export async function expectReportOpensOffline(
  reportPath: string,
  figures: readonly string[],
  screenshot: string,
): Promise<void> {
  const chromium = await testChromium();
  if ('skip' in chromium) return void console.warn(`report check skipped: ${chromium.skip}`);
  const browser = await launchTestBrowser(chromium);
  try {
    const opened = await openOffline(browser, pathToFileURL(reportPath).href);
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
    expect(opened.blockedRequests).toEqual([]);
    const drawn = await drawnFigures(opened);
    expect(drawn.map((f) => f.id)).toEqual(figures.map((name) => `figure-${name}`));
    for (const figure of drawn) {
      expect(figure.width, figure.id).toBeGreaterThan(100);
      expect(figure.height, figure.id).toBeGreaterThan(50);
      expect(figure.marks, figure.id).toBeGreaterThan(0);
    }
    await mkdir(TEST_ARTIFACTS, { recursive: true });
    await opened.page.screenshot({ path: join(TEST_ARTIFACTS, `${screenshot}.png`) });
  } finally {
    await browser.close();
  }
}

/** The figure names an output folder's index lists, in order (`figures/<name>.svg`). */
export function figureNames(files: readonly { readonly name: string }[]): string[] {
  return files.flatMap((f) => /^figures\/(.+)\.svg$/.exec(f.name)?.[1] ?? []);
}
