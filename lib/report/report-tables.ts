import { formatCount, formatValue } from './format.js';
import { fileHref, html, type SafeHtml } from './html.js';
import type { PosteriorSummaryRow, ReportFile, ReportLineage } from './report-data.js';
import { fact, type Section } from './report-sections.js';

/** The posterior summary, one row per location and free quantity; undefined when the run has none. */
export function posteriorsSection(rows: readonly PosteriorSummaryRow[]): Section | undefined {
  if (rows.length === 0) return undefined;
  const num = (x: number) => html`<td class="num">${formatValue(x)}</td>`;
  const body = html`<table>
    <thead>
      <tr>
        <th scope="col">Population</th>
        <th scope="col">Parameter</th>
        <th scope="col">Mean</th>
        <th scope="col">Median</th>
        <th scope="col">95% interval</th>
        <th scope="col">Particles</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            <td>${r.population}</td>
            <td>${r.parameter}</td>
            ${num(r.mean)}${num(r.median)}
            <td class="num">${formatValue(r.q025)} – ${formatValue(r.q975)}</td>
            <td class="num">${formatCount(r.particles)}</td>
          </tr> `,
      )}
    </tbody>
  </table>`;
  return { id: 'posteriors', title: 'Posterior summary', body };
}

/** A value of the run record: text as is, anything else as pretty JSON. */
function recordValue(value: unknown): SafeHtml {
  if (typeof value === 'string') return html`${value}`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return html`<code>${String(value)}</code>`;
  return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
}

function runRecord(record: ReportLineage['record']): SafeHtml {
  if (record === undefined) return html`<p class="note">The run wrote no run record.</p>`;
  const entries = Object.entries(record);
  return html`<h3>Run record</h3>
    <dl class="record">
      ${entries.map(
        ([key, value]) =>
          html`<dt>${key}</dt>
            <dd>${recordValue(value)}</dd> `,
      )}
    </dl>`;
}

/** Where the run came from: the experiment's files and hashes, the output config, the run record. */
export function lineageSection(lineage: ReportLineage): Section {
  const files = lineage.experimentFiles.map(
    (f) =>
      html`<tr>
        <td>${f.path}</td>
        <td><code class="hash">${f.sha256}</code></td>
      </tr> `,
  );
  const body = html`<table class="facts">
      ${fact('Output config', lineage.outputConfigFile ?? 'none')}
    </table>
    <h3>Experiment files</h3>
    ${
      files.length === 0
        ? html`<p class="note">No experiment snapshot was recorded.</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">SHA-256</th>
              </tr>
            </thead>
            <tbody>
              ${files}
            </tbody>
          </table>`
    }
    ${runRecord(lineage.record)}`;
  return { id: 'lineage', title: 'Lineage', body };
}

/** Links to every file of the output folder, relative to this page. */
export function filesSection(files: readonly ReportFile[]): Section {
  const rows = files.map(
    (f) =>
      html`<tr>
        <td><a href="${fileHref(f.name)}">${f.name}</a></td>
        <td class="num">${formatCount(f.rows)}</td>
      </tr> `,
  );
  const body =
    files.length === 0
      ? html`<p class="note">The output folder lists no files.</p>`
      : html`<table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Rows</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>`;
  return { id: 'files', title: 'Files', body };
}
