/**
 * The report's one stylesheet, inline: system fonts only, plain tables,
 * figures that shrink to the page, and a print layout without the
 * navigation's colours or split figures.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --tint: #f6f8fa; --warn: #9a6700; --warn-bg: #fff8c5; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem 2rem 3rem; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 0.75rem; word-break: break-all; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
a { color: #0550ae; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { padding: 0.3rem 0.75rem 0.3rem 0; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
table.facts th { font-weight: 600; color: var(--muted); padding-right: 1.5rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, pre { font: 0.85em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
code.hash { word-break: break-all; }
pre { margin: 0; padding: 0.5rem; background: var(--tint); overflow-x: auto; white-space: pre-wrap; }
.warning { margin: 1rem 0; padding: 0.6rem 0.9rem; border-left: 4px solid var(--warn); background: var(--warn-bg); }
.note { color: var(--muted); }
nav.toc { margin: 1rem 0; padding: 0.5rem 1rem; background: var(--tint); border: 1px solid var(--rule); }
nav.toc h2 { margin: 0.25rem 0; border: 0; font-size: 1rem; }
nav.toc ol { margin: 0.25rem 0; padding-left: 1.5rem; }
figure { margin: 1.25rem 0 2rem; break-inside: avoid; }
figure .chart { overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: 0.5rem; font-weight: 600; }
figcaption .files { font-weight: normal; color: var(--muted); }
dl.record { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dl.record dt { font-weight: 600; color: var(--muted); }
dl.record dd { margin: 0; min-width: 0; }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.85rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav.toc { background: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  tr, figure, pre { break-inside: avoid; }
  figure .chart { overflow: visible; }
  .warning { border: 1px solid var(--warn); }
  pre { background: none; border: 1px solid var(--rule); }
}
`;
