import type { Rng } from './rng.js';

/** n*min(p, 1-p) at or below which inversion is used, above which BTPE (numpy's threshold). */
export const INVERSION_LIMIT = 30;

/**
 * An exact Binomial(n, p) variate. Like numpy: with r = min(p, 1 - p),
 * sequential-search inversion when n*r <= 30 (expected cost O(n*r)), else
 * BTPE (Kachitvichyanukul and Schmeiser, 1988), whose expected cost does not
 * grow with n. For p > 1/2 it samples failures and returns n minus them.
 * Throws a RangeError unless `n` is an integer >= 0 and `p` in [0, 1] (a
 * NaN probability would otherwise never be accepted: an endless loop).
 */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!(p >= 0 && p <= 1 && n >= 0 && n % 1 === 0)) {
    throw new RangeError(
      `Binomial(n, p) needs an integer n >= 0 and p in [0, 1], got n = ${n}, p = ${p}`,
    );
  }
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p <= 0.5) return n * p <= INVERSION_LIMIT ? inversion(rng, n, p) : btpe(rng, n, p);
  const q = 1 - p;
  return n - (n * q <= INVERSION_LIMIT ? inversion(rng, n, q) : btpe(rng, n, q));
}

/** 1/x for the inversion search (x <= 30 + 10*sqrt(31) < 128): a multiply instead of a divide per step. */
const RECIPROCALS = Float64Array.from({ length: 128 }, (_, x) => (x === 0 ? 0 : 1 / x));

/** Inversion by sequential search from 0; p <= 1/2 and n*p <= 30. */
function inversion(rng: Rng, n: number, p: number): number {
  const q = 1 - p;
  const q0 = Math.exp(n * Math.log1p(-p));
  const ratio = p / q;
  // Past ten standard deviations the remaining mass is below double precision: restart.
  const bound = Math.min(n, n * p + 10 * Math.sqrt(n * p * q + 1));
  for (;;) {
    let x = 0;
    let px = q0;
    let u = rng.uniform();
    while (u > px) {
      u -= px;
      x++;
      if (x > bound) break;
      px *= (n - x + 1) * ratio * RECIPROCALS[x]!;
    }
    if (x <= bound) return x;
  }
}

/** Stirling series remainder of log Gamma(x): 1/(12x) - 1/(360x^3) + 1/(1260x^5) - 1/(1680x^7) + 1/(1188x^9). */
function stirlingTail(x: number): number {
  const x2 = x * x;
  return (13860 - (462 - (132 - (99 - 140 / x2) / x2) / x2) / x2) / x / 166320;
}

/** BTPE: triangle, parallelogram and exponential tails, with squeeze; p <= 1/2 and n*p > 30. */
function btpe(rng: Rng, n: number, p: number): number {
  const q = 1 - p;
  const npq = n * p * q;
  const fm = n * p + p;
  const m = Math.floor(fm);
  const p1 = Math.floor(2.195 * Math.sqrt(npq) - 4.6 * q) + 0.5;
  const xm = m + 0.5;
  const xl = xm - p1;
  const xr = xm + p1;
  const c = 0.134 + 20.5 / (15.3 + m);
  let a = (fm - xl) / (fm - xl * p);
  const lambdaL = a * (1 + 0.5 * a);
  a = (xr - fm) / (xr * q);
  const lambdaR = a * (1 + 0.5 * a);
  const p2 = p1 * (1 + 2 * c);
  const p3 = p2 + c / lambdaL;
  const p4 = p3 + c / lambdaR;
  for (;;) {
    const u = rng.uniform() * p4;
    let v = rng.uniform();
    let y: number;
    if (u <= p1) return Math.floor(xm - p1 * v + u); // triangle: always accepted
    if (u <= p2) {
      const x = xl + (u - p1) / c;
      v = v * c + 1 - Math.abs(m - x + 0.5) / p1;
      if (v > 1) continue;
      y = Math.floor(x);
    } else if (u <= p3) {
      y = Math.floor(xl + Math.log(v) / lambdaL);
      if (y < 0) continue;
      v *= (u - p2) * lambdaL;
    } else {
      y = Math.floor(xr - Math.log(v) / lambdaR);
      if (y > n) continue;
      v *= (u - p3) * lambdaR;
    }
    if (accept(n, p, q, npq, m, y, v)) return y;
  }
}

/** Whether v <= f(y)/f(m) for the binomial pmf f: recursive product near the mode, else squeeze + Stirling bounds. */
function accept(
  n: number,
  p: number,
  q: number,
  npq: number,
  m: number,
  y: number,
  v: number,
): boolean {
  const k = Math.abs(y - m);
  if (k <= 20 || k >= npq / 2 - 1) {
    const s = p / q;
    const a = s * (n + 1);
    let f = 1;
    if (m < y) for (let i = m + 1; i <= y; i++) f *= a / i - s;
    else if (m > y) for (let i = y + 1; i <= m; i++) f /= a / i - s;
    return v <= f;
  }
  const rho = (k / npq) * ((k * (k / 3 + 0.625) + 1 / 6) / npq + 0.5);
  const t = (-k * k) / (2 * npq);
  const logV = Math.log(v);
  if (logV < t - rho) return true;
  if (logV > t + rho) return false;
  return logV <= logPmfRatio(n, p, m, y);
}

/**
 * log f(y) - log f(m) for the Binomial(n, p) pmf f, from Stirling's series
 * (accurate to ~1e-12 for m, y, n - m, n - y >= 15; BTPE's final test). The
 * correction terms enter as + c(m+1) + c(n-m+1) - c(y+1) - c(n-y+1), which
 * is what the expansion gives.
 */
export function logPmfRatio(n: number, p: number, m: number, y: number): number {
  const q = 1 - p;
  const x1 = y + 1;
  const f1 = m + 1;
  const z = n + 1 - m;
  const w = n - y + 1;
  return (
    (m + 0.5) * Math.log(f1 / x1) +
    (n - m + 0.5) * Math.log(z / w) +
    (y - m) * Math.log((w * p) / (x1 * q)) +
    stirlingTail(f1) +
    stirlingTail(z) -
    stirlingTail(x1) -
    stirlingTail(w)
  );
}
