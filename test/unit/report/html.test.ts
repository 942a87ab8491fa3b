import { describe, expect, it } from 'vitest';
import { escapeHtml, fileHref, html, trusted } from '../../../lib/report/html.js';
import { formatIndexes, formatMs, formatValue } from '../../../lib/report/format.js';

describe('escapeHtml and the html template', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;',
    );
  });

  it('escapes inserted values, keeps nested fragments and trusted markup, drops false and nothing', () => {
    const items = ['<i>', 'b'];
    // prettier-ignore
    const fragment = html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>${false}${undefined}${null}`;
    expect(fragment.text).toBe('<ul><li>&lt;i&gt;</li><li>b</li></ul>');
    expect(html`<p>${trusted('<svg/>')}${3}</p>`.text).toBe('<p><svg/>3</p>');
  });

  it('percent-encodes each segment of a file href, keeping the folders', () => {
    expect(fileHref('figures/fan I?.svg')).toBe('figures/fan%20I%3F.svg');
  });
});

describe('report formats', () => {
  it('writes times, values and index ranges compactly', () => {
    expect([850, 12_340, 245_000, 3_720_000].map(formatMs)).toEqual([
      '850 ms',
      '12.3 s',
      '4 min 05 s',
      '1 h 02 min',
    ]);
    expect([0, 1.23456, 123456, 0.000123, -2].map(formatValue)).toEqual([
      '0',
      '1.235',
      '1.235e+5',
      '1.230e-4',
      '-2',
    ]);
    expect(formatIndexes([0, 1, 2, 3, 7, 9, 10])).toBe('0-3, 7, 9-10');
  });
});
