/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman and Vigna, 2018), a
 * small, fast generator with a 2^128 - 1 period and 32-bit output that maps
 * onto `Math.imul`, seeded through a 128-bit hash (MurmurHash3_x86_128) of
 * integer keys (`random_seed`, task index, simulation index). The stream
 * depends only on the keys, never on the order in which tasks or simulations
 * run, and the arithmetic is exact 32-bit integer math, so every machine gives
 * the same numbers.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds the generator from integer keys (each a safe integer >= 0). */
  constructor(...keys: readonly number[]) {
    const state = seedState(keys);
    [this.s0, this.s1, this.s2, this.s3] = state;
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

/** Seed of the key hash (the old single-lane hash's start, digits of pi). */
const KEY_HASH_SEED = 0x243f6a88;
const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

/** murmur3 x86_128's per-lane input scramble of one 32-bit word. */
function scramble(k: number, a: number, r: number, b: number): number {
  return Math.imul(rotl(Math.imul(k, a), r), b);
}

/**
 * MurmurHash3_x86_128 (Appleby, SMHasher) of 32-bit little-endian words,
 * seeded with `seed`: four 32-bit lanes mixed into each other per 16-byte
 * block and in the finalisation. Returns the lanes h1..h4.
 */
export function murmur3x86x128(
  words: readonly number[],
  seed: number,
): [number, number, number, number] {
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blocks = words.length >> 2;
  for (let i = 0; i < blocks * 4; i += 4) {
    h1 ^= scramble(words[i]!, C1, 15, C2);
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    h2 ^= scramble(words[i + 1]!, C2, 16, C3);
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    h3 ^= scramble(words[i + 2]!, C3, 17, C4);
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    h4 ^= scramble(words[i + 3]!, C4, 18, C1);
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  const tail = blocks * 4;
  if (words.length > tail + 2) h3 ^= scramble(words[tail + 2]!, C3, 17, C4);
  if (words.length > tail + 1) h2 ^= scramble(words[tail + 1]!, C2, 16, C3);
  if (words.length > tail) h1 ^= scramble(words[tail]!, C1, 15, C2);
  const bytes = words.length * 4;
  h1 ^= bytes;
  h2 ^= bytes;
  h3 ^= bytes;
  h4 ^= bytes;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) >>> 0;
  return [h1, (h2 + h1) >>> 0, (h3 + h1) >>> 0, (h4 + h1) >>> 0];
}

/**
 * The 128-bit xoshiro state of integer keys: MurmurHash3_x86_128 of each
 * key's low and high 32-bit words (never all-zero): distinct key lists share
 * a state with probability about 2^-128 per pair, where a single 32-bit hash
 * gave thousands of colliding pairs among ten million keys.
 */
function seedState(keys: readonly number[]): [number, number, number, number] {
  const words: number[] = [];
  for (const key of keys) {
    if (!Number.isSafeInteger(key) || key < 0)
      throw new RangeError(`Seed keys must be safe non-negative integers, got ${key}`);
    words.push(key >>> 0, Math.floor(key / 4294967296) >>> 0);
  }
  const state = murmur3x86x128(words, KEY_HASH_SEED);
  if (state.every((w) => w === 0)) state[0] = 1;
  return state;
}
