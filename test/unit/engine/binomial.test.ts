import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';
import { describe, expect, it } from 'vitest';
import { binomial, INVERSION_LIMIT, logPmfRatio } from '../../../lib/engine/binomial.js';
import { Rng } from '../../../lib/engine/rng.js';

const DRAWS = 40_000;

function draw(n: number, p: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: DRAWS }, () => binomial(rng, n, p));
}

/** Smallest k with P(X <= k) >= level. */
function exactQuantile(n: number, p: number, level: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (binomialCdf(mid, n, p) >= level) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Pearson chi-square of the draws against the exact pmf over [lo, hi] (the
 * 1e-4 and 1 - 1e-4 quantiles; the tails pooled into the end cells), merging
 * neighbouring values until every cell expects at least 10 draws.
 */
function chiSquare(xs: Float64Array, n: number, p: number): { stat: number; df: number } {
  const lo = exactQuantile(n, p, 1e-4);
  const hi = exactQuantile(n, p, 1 - 1e-4);
  const observed = new Float64Array(hi - lo + 1);
  for (const x of xs) observed[Math.min(Math.max(x, lo), hi) - lo]! += 1;
  const expected = Float64Array.from(observed, (_, i) => {
    const k = lo + i;
    if (k === lo) return binomialCdf(lo, n, p) * DRAWS;
    if (k === hi) return (1 - binomialCdf(hi - 1, n, p)) * DRAWS;
    return binomialPmf(k, n, p) * DRAWS;
  });
  const cells: [number, number][] = [];
  let o = 0;
  let e = 0;
  expected.forEach((ek, i) => {
    o += observed[i]!;
    e += ek;
    if (e >= 10) {
      cells.push([o, e]);
      o = 0;
      e = 0;
    }
  });
  if (e > 0 && cells.length > 0)
    cells[cells.length - 1] = [cells.at(-1)![0] + o, cells.at(-1)![1] + e];
  const stat = cells.reduce((sum, [oi, ei]) => sum + (oi - ei) ** 2 / ei, 0);
  return { stat, df: cells.length - 1 };
}

// Regimes: inversion (n*min(p,1-p) <= 30) and BTPE (> 30), p near 0, 1/2 and 1, tiny and huge n.
const CASES: readonly [number, number][] = [
  [20, 0.5],
  [1_000_000, 1e-6],
  [1_000_000, 2.5e-5],
  [1000, 0.029],
  [1_000_000, 0.3],
  [100, 0.5],
  [75, 0.45],
  [1_000_000, 0.5],
  [200, 0.99],
  [5000, 0.995],
  [1_000_000, 0.9999999],
  [10_000, 0.93],
  [1_000_000, 0.0004],
];

describe('binomial sampler', () => {
  it.each(CASES)(
    'n=%d p=%d: mean, variance and tail probabilities match the exact distribution',
    (n, p) => {
      const xs = draw(n, p, n + Math.round(p * 1e6));
      const mean = xs.reduce((a, b) => a + b, 0) / DRAWS;
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (DRAWS - 1);
      const v = n * p * (1 - p);
      expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(v / DRAWS) + 1e-9);
      expect(Math.abs(variance / v - 1)).toBeLessThan(0.06);
      for (const level of [0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999]) {
        const k = exactQuantile(n, p, level);
        const exact = binomialCdf(k, n, p);
        const empirical = xs.filter((x) => x <= k).length / DRAWS;
        expect(Math.abs(empirical - exact)).toBeLessThan(
          5 * Math.sqrt((exact * (1 - exact)) / DRAWS) + 1e-4,
        );
      }
      expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x <= n)).toBe(true);
    },
  );

  it.each(CASES.filter(([n, p]) => n * Math.min(p, 1 - p) > 2))(
    'n=%d p=%d: chi-square goodness of fit against the exact pmf',
    (n, p) => {
      const { stat, df } = chiSquare(draw(n, p, 7 + n), n, p);
      // mean df, sd sqrt(2 df): a 5-sd bound never trips by chance with these fixed seeds
      expect(stat).toBeLessThan(df + 5 * Math.sqrt(2 * df));
    },
  );

  it('uses both algorithms around the threshold and handles the degenerate cases', () => {
    const rng = new Rng(1);
    expect(binomial(rng, 0, 0.3)).toBe(0);
    expect(binomial(rng, 10, 0)).toBe(0);
    expect(binomial(rng, 10, 1)).toBe(10);
    const below = draw(100, (INVERSION_LIMIT - 0.5) / 100, 3);
    const above = draw(100, (INVERSION_LIMIT + 0.5) / 100, 3);
    expect(below.reduce((a, b) => a + b, 0) / DRAWS).toBeCloseTo(INVERSION_LIMIT - 0.5, 0);
    expect(above.reduce((a, b) => a + b, 0) / DRAWS).toBeCloseTo(INVERSION_LIMIT + 0.5, 0);
  });

  it('refuses a probability outside [0, 1] or NaN and an n that is not an integer >= 0 (a NaN p looped forever)', () => {
    const rng = new Rng(1);
    for (const [n, p] of [
      [100, NaN],
      [100, -0.1],
      [100, 1.5],
      [-1, 0.5],
      [2.5, 0.5],
      [NaN, 0.5],
      [Infinity, 0.5],
    ]) {
      expect(() => binomial(rng, n!, p!)).toThrow(RangeError);
    }
    expect(() => binomial(rng, 100, NaN)).toThrow(
      'Binomial(n, p) needs an integer n >= 0 and p in [0, 1], got n = 100, p = NaN',
    );
  });

  it('costs about the same for n = 1e3 and n = 1e9 (no O(n) path)', () => {
    const count = (n: number): number => {
      let calls = 0;
      const rng = new Rng(5);
      const uniform = rng.uniform.bind(rng);
      rng.uniform = () => (calls++, uniform());
      for (let i = 0; i < 2000; i++) binomial(rng, n, 3 / n);
      for (let i = 0; i < 2000; i++) binomial(rng, n, 0.4);
      return calls / 4000;
    };
    expect(count(1e9)).toBeLessThan(count(1e3) * 1.5 + 1);
  });

  it("uses an exact Stirling bound in BTPE's final acceptance test", () => {
    for (const [n, p] of [
      [10_000, 0.3],
      [1_000_000, 0.0002],
      [5000, 0.5],
    ] as const) {
      const m = Math.floor(n * p + p);
      const sd = Math.sqrt(n * p * (1 - p));
      for (const y of [m - 3 * sd, m - 25, m + 25, m + 3 * sd].map(Math.round)) {
        const exact = Math.log(binomialPmf(y, n, p) / binomialPmf(m, n, p));
        expect(Math.abs(logPmfRatio(n, p, m, y) - exact)).toBeLessThan(1e-9);
      }
    }
  });
});
