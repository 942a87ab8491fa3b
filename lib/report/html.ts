/**
 * A tiny HTML template: `html` fills a template with data, escaping every
 * inserted value unless it is already {@link SafeHtml} (a fragment built by
 * `html` itself, or markup marked trusted with {@link trusted}).
 */

/** Markup that is inserted as is. */
export class SafeHtml {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** What a template accepts: text and numbers (escaped), fragments, lists of them; nothing for null, undefined and false. */
export type HtmlValue =
  string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe to place in an element or in a quoted attribute: `& < > " '` as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Markup from a source the report trusts (the SVG Vega drew), inserted unescaped. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  return escapeHtml(String(value));
}

/** Tagged template: html`<td>${text}</td>` escapes `text`; nested html`` fragments stay markup. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, s, i) => out + render(values[i - 1]) + s));
}

/** A relative link target for a file of the output folder: each path segment percent-encoded. */
export function fileHref(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}
