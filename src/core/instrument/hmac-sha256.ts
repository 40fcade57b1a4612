import { createHash } from 'node:crypto';

/**
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) with the key's inner and outer pads absorbed once.
 *
 * Why not node:crypto: on Node 20 every `createHmac` call costs about 2 µs of object setup, more
 * than hashing a token's ~200 bytes. An email with 40 links signs 40 tokens, so that setup alone
 * was a fifth of the engine's time. Here a token costs one pass over its bytes (4–5 compressions)
 * and no allocation.
 *
 * It is checked against node:crypto: by click-tokens.ts when a key is first used (tokens of every
 * length up to several blocks must match `encodeToken`, else node:crypto signs instead) and by the
 * property tests.
 */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const BLOCK = 64;
const DIGEST = 32;

/**
 * Scratch space, shared: the functions below run to completion without yielding. W holds the
 * block being compressed as 16 big-endian words (then its message schedule), S the running state.
 */
const W = new Int32Array(64);
const S = new Int32Array(8);

/** W[0, 16) = the 64 bytes of `b` at `off`, big-endian. */
function loadBlock(b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!;
  }
}

/** One SHA-256 compression of the block in W[0, 16) into `state`. */
function compress(state: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  // Eight rounds per iteration, the variables' roles rotating by one each round instead of eight
  // assignments per round (h = g, g = f, …): a round only writes the new `e` (into d's variable) and
  // the new `a` (into h's). Σ1(e) = e ⋙ 6 ^ e ⋙ 11 ^ e ⋙ 25; Ch(e,f,g) = g ^ (e & (f ^ g));
  // Σ0(a) = a ⋙ 2 ^ a ⋙ 13 ^ a ⋙ 22; Maj(a,b,c) = (a & b) | (c & (a | b)).
  for (let i = 0; i < 64; i += 8) {
    let t = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + (g ^ (e & (f ^ g))) + K[i]! + W[i]!) | 0;
    d = (d + t) | 0;
    h = (t + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) | (c & (a | b)))) | 0;
    t = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + (f ^ (d & (e ^ f))) + K[i + 1]! + W[i + 1]!) | 0;
    c = (c + t) | 0;
    g = (t + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) | (b & (h | a)))) | 0;
    t = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + (e ^ (c & (d ^ e))) + K[i + 2]! + W[i + 2]!) | 0;
    b = (b + t) | 0;
    f = (t + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) | (a & (g | h)))) | 0;
    t = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + (d ^ (b & (c ^ d))) + K[i + 3]! + W[i + 3]!) | 0;
    a = (a + t) | 0;
    e = (t + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) | (h & (f | g)))) | 0;
    t = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + (c ^ (a & (b ^ c))) + K[i + 4]! + W[i + 4]!) | 0;
    h = (h + t) | 0;
    d = (t + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) | (g & (e | f)))) | 0;
    t = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + (b ^ (h & (a ^ b))) + K[i + 5]! + W[i + 5]!) | 0;
    g = (g + t) | 0;
    c = (t + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) | (f & (d | e)))) | 0;
    t = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + (a ^ (g & (h ^ a))) + K[i + 6]! + W[i + 6]!) | 0;
    f = (f + t) | 0;
    b = (t + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) | (e & (c | d)))) | 0;
    t = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + (h ^ (f & (g ^ h))) + K[i + 7]! + W[i + 7]!) | 0;
    e = (e + t) | 0;
    a = (t + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) | (d & (b | c)))) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/**
 * S = SHA-256 state after the one 64-byte block absorbed in `from`, then `msg[0, len)` and the
 * padding. The last block is built as words in W directly (no padded copy of the message's tail).
 */
function hashAfterOneBlock(from: Int32Array, msg: Uint8Array, len: number): void {
  S.set(from);
  let off = 0;
  for (; len - off >= BLOCK; off += BLOCK) {
    loadBlock(msg, off);
    compress(S);
  }
  const rest = len - off;
  W.fill(0, 0, 16);
  let i = 0;
  for (; i + 4 <= rest; i += 4) {
    const j = off + i;
    W[i >> 2] = (msg[j]! << 24) | (msg[j + 1]! << 16) | (msg[j + 2]! << 8) | msg[j + 3]!;
  }
  for (; i < rest; i++) W[i >> 2]! |= msg[off + i]! << (24 - 8 * (i & 3));
  W[rest >> 2]! |= 0x80 << (24 - 8 * (rest & 3));
  if (rest + 9 > BLOCK) {
    // No room for the length after the 0x80: it goes in a block of its own.
    compress(S);
    W.fill(0, 0, 16);
  }
  const bits = (len + BLOCK) * 8; // the pad block counts too
  W[14] = Math.floor(bits / 0x100000000);
  W[15] = bits | 0; // the low 32 bits
  compress(S);
}

export class HmacSha256 {
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;

  constructor(key: Uint8Array) {
    const k = key.length > BLOCK ? createHash('sha256').update(key).digest() : key;
    this.inner = HmacSha256.padState(k, 0x36);
    this.outer = HmacSha256.padState(k, 0x5c);
  }

  private static padState(key: Uint8Array, pad: number): Int32Array {
    const block = new Uint8Array(BLOCK).fill(pad);
    for (let i = 0; i < key.length; i++) block[i] = key[i]! ^ pad;
    const state = new Int32Array(IV);
    loadBlock(block, 0);
    compress(state);
    return state;
  }

  /** Writes the first `macLength` bytes of HMAC(key, msg[0, len)) to `out` at `outOffset`. */
  macInto(msg: Uint8Array, len: number, out: Uint8Array, outOffset: number, macLength: number): void {
    hashAfterOneBlock(this.inner, msg, len);
    // The outer hash's message after its pad block is always the 32-byte inner digest (S's words,
    // as they are) and the same padding: one block, laid out here without going through bytes.
    for (let i = 0; i < 8; i++) W[i] = S[i]!;
    W[8] = 0x80 << 24;
    W.fill(0, 9, 15);
    W[15] = (BLOCK + DIGEST) * 8;
    S.set(this.outer);
    compress(S);
    for (let i = 0; i < macLength; i++) out[outOffset + i] = S[i >> 2]! >>> (24 - 8 * (i & 3));
  }

  /** The full 32-byte HMAC (for tests). */
  mac(msg: Uint8Array): Uint8Array {
    const out = new Uint8Array(DIGEST);
    this.macInto(msg, msg.length, out, 0, DIGEST);
    return out;
  }
}
