/** Font units per em of DejaVu Sans (its `head.unitsPerEm`). */
export const UNITS_PER_EM = 2048;

/**
 * Advance widths of the printable ASCII characters (U+0020 `' '` to U+007E
 * `'~'`, in order), in font units, read from the `hmtx` table of
 * DejaVuSans.ttf and DejaVuSans-Bold.ttf 2.37 (the fonts PNGs are drawn with).
 */
const ASCII = {
  normal: [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048,
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235,
    1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024,
    1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
    1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
  ],
  bold: [
    713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425,
    1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048,
    1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501,
    1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024,
    1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466,
    1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
  ],
} as const;

/** Characters beyond ASCII that figures print (d3's minus sign, Vega's ellipsis, dashes), same in both weights. */
const EXTRA: ReadonlyMap<string, number> = new Map([
  ['\u2212', 1716], // − (d3-format's minus)
  ['\u2026', 2048], // … (Vega's truncation)
  ['\u2013', 1024], // –
  ['\u2014', 2048], // —
  ['\u00d7', 1716], // ×
  ['\u00b0', 1024], // °
]);

/** Any other character: as wide as a digit (0.636 em; bold 0.696 em). */
const OTHER = { normal: 1303, bold: 1425 } as const;

/** Weight of a font: CSS `bold`/`bolder` or a numeric weight of 600 or more draws the bold face. */
export function isBold(fontWeight: unknown): boolean {
  if (fontWeight === 'bold' || fontWeight === 'bolder') return true;
  const numeric = Number(fontWeight);
  return Number.isFinite(numeric) && numeric >= 600;
}

/**
 * The advance width in pixels of `text` set in DejaVu Sans at `fontSize`
 * pixels, bold or not: the sum of the characters' advance widths (no kerning).
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const face = bold ? 'bold' : 'normal';
  const ascii = ASCII[face];
  let units = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    units += (code >= 32 && code < 127 ? ascii[code - 32] : EXTRA.get(char)) ?? OTHER[face];
  }
  return (units * fontSize) / UNITS_PER_EM;
}

/** What Vega's text measurer reads of a text mark item. */
export interface TextItem {
  readonly fontSize?: number | string | null;
  readonly fontWeight?: string | number | null;
  /** Width in pixels at which Vega truncates the text (0 or absent: never). */
  readonly limit?: number | null;
}

/**
 * A drop-in for Vega's `textMetrics.width(item, text)`: the width of a line
 * of a text item as {@link textWidth} measures it, trimmed as Vega trims it,
 * and at most the item's `limit` (Vega truncates longer text to fit).
 */
export function vegaTextWidth(item: TextItem, text?: unknown): number {
  const size = item.fontSize == null ? 11 : Number(item.fontSize) || 0;
  const line = text == null ? '' : String(text).trim();
  const width = textWidth(line, size, isBold(item.fontWeight));
  const limit = Number(item.limit);
  return limit > 0 ? Math.min(width, limit) : width;
}
