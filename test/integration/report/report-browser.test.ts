import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VEGA_LITE_SCHEMA, type Figure } from '../../../lib/figures/figure.js';
import { renderFigure } from '../../../lib/figures/render.js';
import { printPdf } from '../../../lib/host/chromium.js';
import type { ReportData, ReportFigure } from '../../../lib/report/report-data.js';
import { reportHtml } from '../../../lib/report/report-html.js';
import {
  launchTestBrowser,
  openOffline,
  testChromium,
  type OfflinePage,
} from '../../support/browser.js';
import { drawnFigures } from '../../support/report-check.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const chromium = await testChromium();
const skip = 'skip' in chromium ? `report-browser skipped: ${chromium.skip}` : undefined;
if (skip !== undefined) console.warn(skip);

const days = Array.from({ length: 30 }, (_, day) => day);
const LINE: Figure = {
  name: 'line_infectious',
  title: 'Infectious over time',
  spec: {
    $schema: VEGA_LITE_SCHEMA,
    width: 480,
    height: 220,
    data: {
      values: days.map((day) => ({ day, infectious: 100 * Math.exp(-((day - 12) ** 2) / 40) })),
    },
    mark: { type: 'line', clip: true },
    encoding: {
      x: { field: 'day', type: 'quantitative', title: 'Day' },
      y: { field: 'infectious', type: 'quantitative', title: 'Infectious' },
    },
  },
};
const AREA: Figure = {
  name: 'area_by_location',
  title: 'Weekly admissions by location',
  spec: {
    $schema: VEGA_LITE_SCHEMA,
    data: {
      values: ['MA', 'NY', 'TX'].flatMap((location, i) =>
        days.map((day) => ({ location, day, admissions: (i + 1) * 10 * (1 + Math.sin(day / 5)) })),
      ),
    },
    facet: { field: 'location', type: 'nominal', title: 'Location' },
    columns: 3,
    spec: {
      width: 220,
      height: 130,
      mark: { type: 'area', opacity: 0.6, clip: true },
      encoding: {
        x: { field: 'day', type: 'quantitative', title: 'Day' },
        y: { field: 'admissions', type: 'quantitative', title: 'Admissions' },
      },
    },
  },
};

async function reportFigure(figure: Figure): Promise<ReportFigure> {
  const { svg } = await renderFigure(figure);
  const files = [`figures/${figure.name}.svg`, `figures/${figure.name}.png`];
  return { name: figure.name, title: figure.title, svg, files };
}

function report(figures: readonly ReportFigure[]): ReportData {
  return {
    run: {
      expId: 'examples/<seir>',
      runId: '20260301-120000-abcdef01',
      referenceDate: '2026-02-28',
      numTasks: 40,
      resultsUsed: 37,
      missing: [4, 5, 31],
      createdAt: '2026-03-01T12:05:00.000Z',
      outputDir: 'outputs/20260301-120500/',
    },
    stages: {
      builder: { totalMs: 2_100, reused: false },
      runner: {
        tasks: 40,
        skipped: 0,
        busyMs: 400_000,
        wallMs: 60_000,
        peakConcurrency: 8,
        efficiency: 0.83,
        retried: [{ index: 9, attempts: 2 }],
        slowest: { index: 17, ms: 14_000 },
      },
      output: { ms: 5_500 },
    },
    figures,
    posteriors: [
      {
        population: 'MA',
        parameter: 'R0',
        mean: 1.4,
        median: 1.38,
        q025: 1.1,
        q975: 1.8,
        particles: 1000,
      },
    ],
    lineage: {
      experimentFiles: [{ path: 'config/model.yaml', sha256: 'b'.repeat(64) }],
      outputConfigFile: 'config/output.yaml',
      record: { backend: 'local', parallelism: 8 },
    },
    files: [
      { name: 'quantiles_compartments.csv.gz', rows: 4_800 },
      ...figures.flatMap((f) => f.files.map((name) => ({ name, rows: 0 }))),
    ],
    generator: 'epycloud 0.1.0',
  };
}

describe.skipIf(skip !== undefined)('report.html in Chromium, offline', () => {
  let browser: Browser;
  let dir: string;
  let htmlPath: string;
  let opened: OfflinePage;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'epy-report-browser-'));
    htmlPath = join(dir, 'report.html');
    await writeFile(
      htmlPath,
      reportHtml(report([await reportFigure(LINE), await reportFigure(AREA)])),
    );
    browser = await launchTestBrowser(chromium as { path: string });
    opened = await openOffline(browser, pathToFileURL(htmlPath).href);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads without a console error, a page error or any network request', async () => {
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
    expect(opened.blockedRequests).toEqual([]);
    const page = await readFile(htmlPath, 'utf8');
    expect(page.replace(/\sxmlns(:\w+)?="[^"]*"/g, '')).not.toMatch(/https?:\/\//);
  });

  it("keeps every id unique, the figures' clip paths included", async () => {
    const ids = await opened.page.$$eval('[id]', (elements) => elements.map((e) => e.id));
    expect(ids.filter((id) => id.includes('clip')).length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws every figure: an SVG with a non-zero box holding drawn marks', async () => {
    const figures = await drawnFigures(opened);
    expect(figures.map((f) => f.id)).toEqual(['figure-line_infectious', 'figure-area_by_location']);
    for (const figure of figures) {
      expect(figure.width, figure.id).toBeGreaterThan(100);
      expect(figure.height, figure.id).toBeGreaterThan(50);
      expect(figure.marks, figure.id).toBeGreaterThan(0);
    }
    expect(figures[1]!.marks).toBeGreaterThanOrEqual(3); // one area per facet
  });

  it('fits the window: nothing wider than the viewport, the escaped id shown as text', async () => {
    const { scrollWidth, heading } = await opened.page.$eval('html', (root) => ({
      scrollWidth: root.scrollWidth,
      heading: root.querySelector('h1')?.textContent ?? '',
    }));
    expect(scrollWidth).toBeLessThanOrEqual(1280);
    expect(heading).toBe('Report: examples/<seir>');
  });

  it('saves a screenshot of the first screen to test-artifacts/', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, 'report-first-screen.png');
    await opened.page.screenshot({ path });
    const png = await readFile(path);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(png.readUInt32BE(20)).toBe(900);
  });

  it('prints to an A4 PDF as report --pdf does', async () => {
    const pdf = await printPdf(
      htmlPath,
      join(dir, 'report.pdf'),
      (chromium as { path: string }).path,
    );
    const bytes = await readFile(pdf);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(10_000);
  });
});
