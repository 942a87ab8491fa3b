/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman and Vigna, 2018), a
 * small, fast generator with a 2^128 - 1 period and 32-bit output that maps
 * onto `Math.imul`, seeded through a SplitMix32/murmur3-style hash of integer
 * keys (`random_seed`, task index, simulation index). The stream depends only
 * on the keys, never on the order in which tasks or simulations run, and the
 * arithmetic is exact 32-bit integer math, so every machine gives the same
 * numbers.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds the generator from integer keys (each a safe integer >= 0). */
  constructor(...keys: readonly number[]) {
    const state = seedState(keys);
    this.s0 = state[0]!;
    this.s1 = state[1]!;
    this.s2 = state[2]!;
    this.s3 = state[3]!;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (two outputs: 27 + 26 bits). */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) * 1.1102230246251565e-16; // 2^-53, exact
  }

  /** Uniform double in (0, 1): never 0, safe for logarithms. */
  uniformPositive(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Uniform integer in [0, bound) for 1 <= bound <= 2^32, without modulo bias. */
  integer(bound: number): number {
    const limit = 4294967296 - (4294967296 % bound);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % bound;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes integer keys into a non-zero 128-bit xoshiro state. */
function seedState(keys: readonly number[]): Uint32Array {
  let h = 0x243f6a88;
  for (const key of keys) {
    if (!Number.isSafeInteger(key) || key < 0) throw new RangeError(`Seed keys must be safe non-negative integers, got ${key}`);
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    h = fmix32((h ^ lo) + 0x9e3779b9);
    h = fmix32((h ^ hi) + 0x7f4a7c15);
  }
  const state = new Uint32Array(4);
  let s = h;
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b9) >>> 0; // SplitMix32 increment
    state[i] = fmix32(s);
  }
  if (state.every((w) => w === 0)) state[0] = 1;
  return state;
}
