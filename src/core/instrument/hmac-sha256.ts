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

/** Scratch space, shared: the functions below run to completion without yielding. */
const W = new Int32Array(64);
const H = new Int32Array(8);
const tail = new Uint8Array(2 * BLOCK);
const innerDigest = new Uint8Array(DIGEST);
const outerDigest = new Uint8Array(DIGEST);

function compress(state: Int32Array, b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let bb = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + s1 + ch + K[i]! + W[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & bb) ^ (a & c) ^ (bb & c);
    const t2 = (s0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + bb) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** SHA-256 of one 64-byte block already absorbed (`from`), then `msg[0, len)`; the digest goes to `out`. */
function finishAfterOneBlock(from: Int32Array, msg: Uint8Array, len: number, out: Uint8Array): void {
  H.set(from);
  let off = 0;
  while (len - off >= BLOCK) {
    compress(H, msg, off);
    off += BLOCK;
  }
  const rest = len - off;
  tail.fill(0);
  for (let i = 0; i < rest; i++) tail[i] = msg[off + i]!;
  tail[rest] = 0x80;
  const blocks = rest + 9 > BLOCK ? 2 : 1;
  const end = blocks * BLOCK;
  const bits = (len + BLOCK) * 8; // the pad block counts too
  const high = Math.floor(bits / 0x100000000);
  tail[end - 8] = (high >>> 24) & 0xff;
  tail[end - 7] = (high >>> 16) & 0xff;
  tail[end - 6] = (high >>> 8) & 0xff;
  tail[end - 5] = high & 0xff;
  tail[end - 4] = (bits >>> 24) & 0xff;
  tail[end - 3] = (bits >>> 16) & 0xff;
  tail[end - 2] = (bits >>> 8) & 0xff;
  tail[end - 1] = bits & 0xff;
  compress(H, tail, 0);
  if (blocks === 2) compress(H, tail, BLOCK);
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 0xff;
    out[i * 4 + 2] = (v >>> 8) & 0xff;
    out[i * 4 + 3] = v & 0xff;
  }
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
    compress(state, block, 0);
    return state;
  }

  /** Writes the first `macLength` bytes of HMAC(key, msg[0, len)) to `out` at `outOffset`. */
  macInto(msg: Uint8Array, len: number, out: Uint8Array, outOffset: number, macLength: number): void {
    finishAfterOneBlock(this.inner, msg, len, innerDigest);
    finishAfterOneBlock(this.outer, innerDigest, DIGEST, outerDigest);
    for (let i = 0; i < macLength; i++) out[outOffset + i] = outerDigest[i]!;
  }

  /** The full 32-byte HMAC (for tests). */
  mac(msg: Uint8Array): Uint8Array {
    const out = new Uint8Array(DIGEST);
    this.macInto(msg, msg.length, out, 0, DIGEST);
    return out;
  }
}
