import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findUnstorableText, textProblem } from './text.js';

describe('textProblem', () => {
  it('refuses NUL and unpaired surrogates, wherever they stand', () => {
    for (const s of ['\u0000', 'a\u0000', '\u0000b', 'a\u0000b']) expect(textProblem(s)).toMatch(/NUL/);
    for (const s of ['\uD800', 'a\uD800', '\uDC00b', '\uDC00\uD800', 'x\uDBFFy', '\uD83D\uDE00\uDE00']) expect(textProblem(s)).toMatch(/surrogate/);
  });

  it('accepts every well-formed string without NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        fc.pre(!s.includes('\u0000'));
        expect(textProblem(s)).toBeNull();
      }),
    );
    expect(textProblem('😀 e\u0301 \uFFFD \u0001')).toBeNull();
  });

  it('agrees with a UTF-8 round trip on arbitrary UTF-16', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const roundTrips = Buffer.from(s, 'utf8').toString('utf8') === s;
        expect(textProblem(s) === null).toBe(roundTrips && !s.includes('\u0000'));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('findUnstorableText', () => {
  it('names the first bad string by its path, keys included', () => {
    expect(findUnstorableText({ a: 'ok', b: ['x', 'y\u0000'] }, 'body')).toEqual({ path: 'body.b.1', problem: expect.stringMatching(/NUL/) });
    expect(findUnstorableText({ headers: { 'X-\uD800': 'v' } }, 'body')).toEqual({ path: 'body.headers (a key)', problem: expect.stringMatching(/surrogate/) });
    expect(findUnstorableText({ n: 1, t: true, z: null, s: 'fine' }, 'query')).toBeNull();
    expect(findUnstorableText('\u0000', 'params.id')).toEqual({ path: 'params.id', problem: expect.stringMatching(/NUL/) });
  });

  it('takes the first in document order, a key before what it holds', () => {
    expect(findUnstorableText({ a: ['\u0000'], b: '\u0000' }, 'body')?.path).toBe('body.a.0');
    expect(findUnstorableText({ 'k\u0000': ['\u0000'] }, 'body')?.path).toBe('body (a key)');
  });

  it('walks values nested deeper than the call stack', () => {
    let deep: unknown = ['\u0000'];
    for (let i = 0; i < 200_000; i++) deep = i % 2 === 0 ? [deep] : { k: deep };
    expect(findUnstorableText(deep, 'body')?.problem).toMatch(/NUL/);
    expect(findUnstorableText(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), 'body')).toBeNull();
  });
});
