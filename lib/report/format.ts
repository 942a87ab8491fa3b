/** How the report writes numbers, times and index lists. */

/** `850 ms`, `12.3 s`, `4 min 05 s`, `1 h 02 min`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  return h > 0
    ? `${h} h ${String(m).padStart(2, '0')} min`
    : `${m} min ${String(s).padStart(2, '0')} s`;
}

/** An integer with thousands separators: `12,345`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A value of a posterior summary with four significant digits: `0.1235`, `1.235e+5`. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  return abs !== 0 && (abs >= 1e5 || abs < 1e-3)
    ? x.toExponential(3)
    : String(Number(x.toPrecision(4)));
}

/** A fraction 0..1 as a whole percentage: `87%`. */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** `0-3, 7, 9-10`: a compact list of sorted task indexes. */
export function formatIndexes(indexes: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indexes.length; i++) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j]! + 1) j++;
    parts.push(j === i ? String(indexes[i]) : `${indexes[i]}-${indexes[j]}`);
    i = j;
  }
  return parts.join(', ');
}
