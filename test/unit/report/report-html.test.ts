import { describe, expect, it } from 'vitest';
import { reportHtml } from '../../../lib/report/report-html.js';
import type { ReportData } from '../../../lib/report/report-data.js';
import { reportData, SVG } from './fixtures.js';

/** The page with its whitespace squashed (the template's indentation is no part of its content). */
const page = (data: ReportData): string =>
  reportHtml(data).replace(/\s+/g, ' ').replace(/> </g, '><');

/** The page without the namespace declarations of its inline SVGs. */
const withoutXmlns = (text: string): string => text.replace(/\sxmlns(:\w+)?="[^"]*"/g, '');

describe('reportHtml', () => {
  it('is one HTML5 page with a title, a table of contents and every section', () => {
    const html = page(reportData());
    expect(html.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8" />');
    expect(html).toContain('<title>Report: examples/seir-ma, run 20260301-120000-abcdef01</title>');
    for (const id of ['stages', 'figures', 'posteriors', 'lineage', 'files']) {
      expect(html).toContain(`<section id="${id}">`);
      expect(html).toContain(`<a href="#${id}">`);
    }
    expect(html).toContain(
      '<a href="#figure-fan_compartments_I">Infectious, median and 90% band</a>',
    );
    expect(html).toContain('Written by epycloud 0.1.0 on 2026-03-01T12:05:00.000Z.');
  });

  it('shows the run: experiment, run, reference date, N and results used', () => {
    const html = page(reportData());
    expect(html).toContain('<h1>Report: examples/seir-ma</h1>');
    expect(html).toContain('<th scope="row">Run</th><td>20260301-120000-abcdef01</td>');
    expect(html).toContain('<th scope="row">Reference date</th><td>2026-02-28</td>');
    expect(html).toContain('<th scope="row">Tasks (N)</th><td>12</td>');
    expect(html).toContain('<th scope="row">Results used</th><td>12 of 12</td>');
    expect(html).toContain('<th scope="row">Output folder</th><td>outputs/20260301-120500/</td>');
    expect(html).not.toContain('Partial results');
  });

  it('leaves the reference date out when the run is no forecast', () => {
    const data = reportData();
    const { referenceDate: _, ...run } = data.run;
    expect(page({ ...data, run })).not.toContain('Reference date');
  });

  it('warns about partial results, naming the missing indexes as ranges', () => {
    const data = reportData();
    const html = page({
      ...data,
      run: { ...data.run, resultsUsed: 7, missing: [2, 3, 4, 8, 11] },
    });
    expect(html).toContain('<p class="warning" role="alert"><strong>Partial results:</strong>');
    expect(html).toContain('5 of 12 task(s) have no result and are left out: 2-4, 8, 11 </p>');
    expect(html).toContain('<td>7 of 12</td>');
  });

  it('shows stage times, the Stage B task figures and the retried tasks', () => {
    const html = page(reportData());
    expect(html).toContain(
      '<th scope="row">A (builder)</th><td class="num">1.3 s</td><td>inputs built</td>',
    );
    expect(html).toMatch(
      /B \(runner\)<\/th><td class="num">30\.0 s<\/td><td>12 task\(s\); first start/,
    );
    expect(html).toContain('<th scope="row">C (output)</th><td class="num">4.2 s</td>');
    expect(html).toContain('<th scope="row">Skipped (result already there)</th><td>2</td>');
    expect(html).toContain('<th scope="row">Efficiency</th><td>80%</td>');
    expect(html).toContain('<th scope="row">Peak concurrency</th><td>4</td>');
    expect(html).toContain('<th scope="row">Slowest task</th><td>3 (11.5 s)</td>');
    expect(html).toContain('<th scope="row">Retried tasks</th><td>7 (2 attempts)</td>');
  });

  it('says when a stage left no summary', () => {
    const html = page({ ...reportData(), stages: { output: { ms: 90_000 } } });
    expect(html).toContain(
      '<th scope="row">A (builder)</th><td class="num">—</td><td>no summary</td>',
    );
    expect(html).toContain(
      '<th scope="row">B (runner)</th><td class="num">—</td><td>no summary</td>',
    );
    expect(html).toContain('<td class="num">1 min 30 s</td>');
    expect(html).not.toContain('Stage B tasks');
  });

  it('puts each figure inline in a <figure> captioned with its title and its files', () => {
    const html = page(reportData());
    const figure = /<figure id="figure-fan_compartments_I">([\s\S]*?)<\/figure>/.exec(html)?.[1];
    expect(figure).toContain('<path class="mark-line" d="M0,60L50,20L100,40"/>');
    expect(figure).toContain(
      '<figcaption> Infectious, median and 90% band <span class="files">(' +
        '<a href="figures/fan_compartments_I.svg">fan_compartments_I.svg</a> · ' +
        '<a href="figures/fan_compartments_I.png">fan_compartments_I.png</a>)</span></figcaption>',
    );
  });

  it("scopes each figure's ids so two figures' clip paths never clash", () => {
    const figure = reportData().figures[0]!;
    const html = page({ ...reportData(), figures: [figure, { ...figure, name: 'other' }] });
    expect(html).toContain('<clipPath id="f0-clip1">');
    expect(html).toContain('<g clip-path="url(#f0-clip1)">');
    expect(html).toContain('<clipPath id="f1-clip1">');
    expect(html).toContain('<g clip-path="url(#f1-clip1)">');
    expect(html).not.toContain('"clip1"');
  });

  it('says so when there is no figure, and leaves the posterior summary out when empty', () => {
    const html = page({ ...reportData(), figures: [], posteriors: [] });
    expect(html).toContain('<p class="note">This output folder has no figures.</p>');
    expect(html).not.toContain('<figure');
    expect(html).not.toContain('<section id="posteriors">');
    expect(html).not.toContain('href="#posteriors"');
    expect(html).not.toContain('<ol><li><a href="#figure-');
  });

  it('shows the posterior summary with four significant digits', () => {
    const html = page(reportData());
    expect(html).toContain(
      '<tr><td>MA</td><td>R0</td><td class="num">1.412</td><td class="num">1.4</td>' +
        '<td class="num">1.1 – 1.79</td><td class="num">1,000</td></tr>',
    );
    for (const head of ['Population', 'Parameter', 'Mean', 'Median', '95% interval', 'Particles'])
      expect(html).toContain(`<th scope="col">${head}</th>`);
  });

  it('shows the lineage: experiment files with their SHA-256, the output config and the run record', () => {
    const html = page(reportData());
    expect(html).toContain(
      `<tr><td>config/model.yaml</td><td><code class="hash">${'a'.repeat(64)}</code></td></tr>`,
    );
    expect(html).toContain('<th scope="row">Output config</th><td>config/output.yaml</td>');
    expect(html).toContain('<dt>backend</dt><dd>local</dd>');
    expect(html).toContain('<dt>options</dt><dd><pre>{ &quot;parallelism&quot;: 4 }</pre></dd>');
    const bare = reportData();
    const html2 = page({
      ...bare,
      lineage: { experimentFiles: [], outputConfigFile: null },
    });
    expect(html2).toContain('<th scope="row">Output config</th><td>none</td>');
    expect(html2).toContain('The run wrote no run record.');
    expect(html2).toContain('No experiment snapshot was recorded.');
  });

  it('links every output file by a relative, percent-encoded href', () => {
    const html = page({
      ...reportData(),
      files: [
        { name: 'quantiles_compartments.csv.gz', rows: 1234 },
        { name: 'figures/a b#1.svg', rows: 0 },
      ],
    });
    expect(html).toContain(
      '<tr><td><a href="quantiles_compartments.csv.gz">quantiles_compartments.csv.gz</a></td><td class="num">1,234</td></tr>',
    );
    expect(html).toContain('<a href="figures/a%20b%231.svg">figures/a b#1.svg</a>');
  });

  it('escapes every text it inserts', () => {
    const data = reportData();
    const evil = '<script>alert("x")</script>';
    const html = page({
      ...data,
      run: { ...data.run, expId: evil, missing: [1], resultsUsed: 11 },
      figures: [{ ...data.figures[0]!, title: `<b>${evil}</b>` }],
      posteriors: [{ ...data.posteriors[0]!, population: evil }],
      lineage: { ...data.lineage, record: { [evil]: evil, note: { evil } } },
      files: [{ name: `"><img src=x onerror=alert(1)>`, rows: 1 }],
      generator: evil,
    });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('<h1>Report: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>');
    expect(html).toContain('href="%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"');
  });

  it('reaches for nothing on the network: no script, no external style, font or image', () => {
    const html = page(reportData());
    expect(html).toContain(SVG.slice(0, 40));
    expect(withoutXmlns(html)).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|\ssrc=/i);
    expect(html.match(/url\([^)]*\)/g) ?? []).toEqual(['url(#f0-clip1)']);
    expect(html).toContain(
      '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;" />',
    );
  });

  it('has a print layout', () => {
    expect(page(reportData())).toMatch(/@media print \{[\s\S]*figure[\s\S]*break-inside: avoid/);
  });
});
