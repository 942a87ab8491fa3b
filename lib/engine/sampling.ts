import type { Rng } from './rng.js';

/**
 * A Latin hypercube of `n` points in [0, 1)^dims: each dimension is cut into
 * n equal strata and every stratum holds exactly one point (random position
 * inside it); strata are paired across dimensions by independent random
 * permutations (Fisher-Yates). Returns one array of n values per dimension.
 */
export function latinHypercube(n: number, dims: number, rng: Rng): Float64Array[] {
  const out: Float64Array[] = [];
  for (let d = 0; d < dims; d++) {
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.integer(i + 1);
      const tmp = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = tmp;
    }
    out.push(Float64Array.from(perm, (stratum) => (stratum + rng.uniform()) / n));
  }
  return out;
}

/** Cartesian product of value lists, the last list varying fastest; one empty point for no lists. */
export function cartesianProduct<T>(lists: readonly (readonly T[])[]): T[][] {
  return lists.reduce<T[][]>(
    (points, list) => points.flatMap((point) => list.map((value) => [...point, value])),
    [[]],
  );
}

/**
 * Splits a total into integer parts proportional to weights (largest
 * remainder method): the parts sum to the total exactly.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let rest = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) parts[order[k]![1]]!++;
  return parts;
}
