import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import type { WorkflowResult } from '../../../lib/backend/types.js';
import { expectReportOpensOffline, figureNames } from '../../support/report-check.js';

/** Reads a gzipped CSV of an output folder into header + rows. */
export async function readCsvGz(
  dir: string,
  name: string,
): Promise<{ header: string[]; rows: string[][] }> {
  const text = gunzipSync(await readFile(join(dir, name)))
    .toString('utf8')
    .trim();
  const [head = '', ...lines] = text.split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',')) };
}

/**
 * Checks what Stage C wrote for a finished run: the index names every task
 * as used, the quantile tables hold each population, 23 quantile levels per
 * date, and non-negative counts.
 */
export async function expectOutputs(
  result: WorkflowResult,
  populations: readonly string[],
): Promise<void> {
  expect(result.status).toBe('succeeded');
  expect(result.outputs).toBeDefined();
  const dir = result.outputs!;
  const files = await readdir(dir);
  expect(files).toEqual(
    expect.arrayContaining([
      'index.json',
      'quantiles_compartments.csv.gz',
      'quantiles_transitions.csv.gz',
      'model_metadata.csv.gz',
    ]),
  );
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    numTasks: number;
    resultsUsed: number;
    partial: boolean;
    files: { name: string }[];
  };
  expect(index).toMatchObject({
    numTasks: result.numTasks,
    resultsUsed: result.numTasks,
    partial: false,
  });
  const table = await readCsvGz(dir, 'quantiles_compartments.csv.gz');
  expect(table.header.slice(0, 4)).toEqual(['population', 'sample_id', 'date', 'quantile']);
  expect([...new Set(table.rows.map((r) => r[0]))].sort()).toEqual([...populations].sort());
  const perDate = table.rows.filter(
    (r) => r[0] === populations[0] && r[1] === table.rows[0]![1] && r[2] === table.rows[0]![2],
  );
  expect(perDate).toHaveLength(23);
  for (const row of table.rows.slice(0, 500))
    for (const cell of row.slice(4)) expect(Number(cell)).toBeGreaterThanOrEqual(0);
  await expectFiguresAndReport(dir, index.files, result.expId);
}

/**
 * Every figure the index lists is an SVG and a PNG (drawn by resvg, in the
 * image when the run used Docker), and report.html opens offline in Chromium
 * showing each of them.
 */
async function expectFiguresAndReport(
  dir: string,
  files: readonly { readonly name: string }[],
  expId: string,
): Promise<void> {
  const figures = figureNames(files);
  expect(figures.length).toBeGreaterThan(0);
  for (const name of figures) {
    expect(await readFile(join(dir, 'figures', `${name}.svg`), 'utf8')).toMatch(/^<svg/);
    const png = await readFile(join(dir, 'figures', `${name}.png`));
    expect(png.subarray(1, 4).toString('latin1'), name).toBe('PNG');
  }
  expect(files.map((f) => f.name)).toContain('report.html');
  await expectReportOpensOffline(
    join(dir, 'report.html'),
    figures,
    `report-${expId.replace(/\W+/g, '-')}`,
  );
}
