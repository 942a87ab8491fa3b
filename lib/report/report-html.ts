import { html, trusted, type SafeHtml } from './html.js';
import type { ReportData } from './report-data.js';
import { figuresSection, runHeader, stagesSection, type Section } from './report-sections.js';
import { REPORT_CSS } from './report-style.js';
import { filesSection, lineageSection, posteriorsSection } from './report-tables.js';

/**
 * The page forbids every fetch: styles are inline, figures are inline SVG,
 * there are no scripts, so opened offline it looks the same as online.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

function tableOfContents(sections: readonly Section[]): SafeHtml {
  const entry = (s: { id: string; title: string }) => html`<a href="#${s.id}">${s.title}</a>`;
  return html`<nav class="toc" aria-labelledby="toc-title">
    <h2 id="toc-title">Contents</h2>
    <ol>
      ${sections.map(
        (s) =>
          html`<li>
            ${entry(s)}${
              s.entries !== undefined &&
              s.entries.length > 0 &&
              html`<ol>
                ${s.entries.map((e) => html`<li>${entry(e)}</li>`)}
              </ol>`
            }
          </li> `,
      )}
    </ol>
  </nav>`;
}

const sectionBlock = (s: Section): SafeHtml =>
  html`<section id="${s.id}">
    <h2>${s.title}</h2>
    ${s.body}
  </section> `;

/**
 * `report.html` of an output folder: one self-contained HTML5 page (no
 * network, no script) with the run, its stage times, every figure, the
 * posterior summary, the lineage and links to every file. Every text is
 * escaped; the figures' SVGs are inserted as Vega drew them.
 */
export function reportHtml(data: ReportData): string {
  const sections = [
    stagesSection(data.stages),
    figuresSection(data.figures),
    posteriorsSection(data.posteriors),
    lineageSection(data.lineage),
    filesSection(data.files),
  ].filter((s): s is Section => s !== undefined);
  const page = html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="generator" content="${data.generator}" />
        <title>Report: ${data.run.expId}, run ${data.run.runId}</title>
        <style>
          ${trusted(REPORT_CSS)}
        </style>
      </head>
      <body>
        ${runHeader(data.run)} ${tableOfContents(sections)}
        <main>${sections.map(sectionBlock)}</main>
        <footer>Written by ${data.generator} on ${data.run.createdAt}.</footer>
      </body>
    </html> `;
  return page.text;
}
