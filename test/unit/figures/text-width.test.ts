import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { textMetrics } from 'vega';
import { describe, expect, it } from 'vitest';
import { fontDir } from '../../../lib/figures/fonts.js';
import '../../../lib/figures/render.js';
import { isBold, textWidth, UNITS_PER_EM, vegaTextWidth } from '../../../lib/figures/text-width.js';

/** Advance widths of a TrueType font: head, hhea, hmtx and the (3, 1) format 4 cmap. */
function fontAdvances(file: string): { unitsPerEm: number; advance: (code: number) => number } {
  const b = readFileSync(file);
  const table = new Map<string, number>();
  for (let i = 0; i < b.readUInt16BE(4); i++)
    table.set(b.toString('latin1', 12 + 16 * i, 16 + 16 * i), b.readUInt32BE(20 + 16 * i));
  const at = (tag: string) => table.get(tag)!;
  const metrics = b.readUInt16BE(at('hhea') + 34);
  const cmap = at('cmap');
  let sub = 0;
  for (let i = 0; i < b.readUInt16BE(cmap + 2); i++) {
    const record = cmap + 4 + 8 * i;
    if (b.readUInt16BE(record) === 3 && b.readUInt16BE(record + 2) === 1)
      sub = cmap + b.readUInt32BE(record + 4);
  }
  const segments = b.readUInt16BE(sub + 6);
  const [ends, starts] = [sub + 14, sub + 16 + segments];
  const [deltas, offsets] = [starts + segments, starts + 2 * segments];
  const glyph = (code: number) => {
    let s = 0;
    while (b.readUInt16BE(ends + s) < code) s += 2;
    if (b.readUInt16BE(starts + s) > code) return 0;
    const offset = b.readUInt16BE(offsets + s);
    const index =
      offset === 0
        ? code
        : b.readUInt16BE(offsets + s + offset + 2 * (code - b.readUInt16BE(starts + s)));
    return index === 0 ? 0 : (index + b.readInt16BE(deltas + s)) & 0xffff;
  };
  return {
    unitsPerEm: b.readUInt16BE(at('head') + 18),
    advance: (code) => b.readUInt16BE(at('hmtx') + 4 * Math.min(glyph(code), metrics - 1)),
  };
}

describe('textWidth', () => {
  it('sums the advance widths of DejaVu Sans as measured from its hmtx table', () => {
    // measured from DejaVuSans.ttf / DejaVuSans-Bold.ttf 2.37, units of 1/2048 em
    expect(textWidth('Admissions per week', 12)).toBeCloseTo((21671 * 12) / 2048, 9);
    expect(textWidth('1,500', 11)).toBeCloseTo((5863 * 11) / 2048, 9);
    expect(textWidth('il.:', 12)).toBeCloseTo((2479 * 12) / 2048, 9);
    expect(textWidth('\u22120.5\u2026', 12)).toBeCloseTo((7021 * 12) / 2048, 9);
    expect(textWidth('California', 12, true)).toBeCloseTo((11139 * 12) / 2048, 9);
    expect(textWidth('', 12)).toBe(0);
  });

  it('is far below headless Vega\u2019s 0.8 em a character for ordinary text', () => {
    const title = 'Weekly flu hospital admissions';
    expect(textWidth(title, 12) / (0.8 * 12 * title.length)).toBeLessThan(0.7);
    expect(textWidth('\u4e2d', 10)).toBeCloseTo((1303 * 10) / 2048, 9);
  });

  it.each([
    ['DejaVuSans.ttf', false],
    ['DejaVuSans-Bold.ttf', true],
  ])('matches %s for every printable ASCII character', (file, bold) => {
    const font = fontAdvances(join(fontDir()!, file));
    expect(font.unitsPerEm).toBe(UNITS_PER_EM);
    for (let code = 32; code < 127; code++)
      expect([code, textWidth(String.fromCharCode(code), UNITS_PER_EM, bold)]).toEqual([
        code,
        font.advance(code),
      ]);
  });
});

describe('vegaTextWidth', () => {
  it('reads size and weight from the item, trims, and stops at the item limit', () => {
    expect(vegaTextWidth({ fontSize: 12 }, '  1,500 ')).toBeCloseTo(textWidth('1,500', 12), 9);
    expect(vegaTextWidth({}, 'abc')).toBeCloseTo(textWidth('abc', 11), 9);
    expect(vegaTextWidth({ fontSize: 12, fontWeight: 'bold' }, 'NY')).toBe(
      textWidth('NY', 12, true),
    );
    expect(vegaTextWidth({ fontSize: 12, limit: 20 }, 'a long legend label')).toBe(20);
    expect(vegaTextWidth({ fontSize: 12 }, undefined)).toBe(0);
  });

  it('draws the bold face for bold, bolder and weights of 600 and more', () => {
    expect([isBold('bold'), isBold('bolder'), isBold(700), isBold('600')]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([isBold('normal'), isBold(400), isBold(undefined)]).toEqual([false, false, false]);
  });

  it('replaces Vega\u2019s estimate once render.ts is loaded', () => {
    expect(textMetrics.width).toBe(vegaTextWidth);
  });
});
