import { describe, expect, it } from 'vitest';
import { classifyAttribute, ATTR_HREF, ATTR_LABEL, ATTR_NONE } from './attributes.js';
import { LinkPolicy } from './link-policy.js';

describe('the destination cache', () => {
  // Values of one length that differ only where the cache's hash does not look (it samples at
  // most 16 characters from the end): every one lands on the same hash.
  const alike = Array.from({ length: 30 }, (_, k) => `https://xx${String.fromCharCode(0x61 + (k % 26))}${k >= 26 ? 'z' : 'y'}.example/${'p'.repeat(129)}`);

  it('gives every value its own answer when values share a hash, past the chain bound too', () => {
    const policy = new LinkPolicy('links.example.com', [], []);
    for (let round = 0; round < 3; round++) {
      for (const raw of alike) expect(policy.destinationOf(raw, true)).toBe(policy.destinationOfUncached(raw, true));
    }
    expect(new Set(alike.map((raw) => policy.destinationOf(raw, true))).size).toBe(alike.length);
  });

  it('keeps the answers from HTML and from text apart', () => {
    const policy = new LinkPolicy('links.example.com', [], []);
    const raw = 'https://example.com/?a=1&amp;b=2';
    expect(policy.destinationOf(raw, true)).toBe('https://example.com/?a=1&b=2');
    expect(policy.destinationOf(raw, false)).toBe('https://example.com/?a=1&amp;b=2');
    expect(policy.destinationOf(raw, true)).toBe('https://example.com/?a=1&b=2');
  });

  it('answers alike after it starts afresh (more values than it remembers)', () => {
    const policy = new LinkPolicy('links.example.com', [], []);
    const many = Array.from({ length: 2500 }, (_, k) => `https://example.com/${k}`);
    for (const raw of many) expect(policy.destinationOf(raw, false)).toBe(raw);
    for (const raw of many) expect(policy.destinationOf(raw, false)).toBe(raw);
  });
});

describe('classifyAttribute', () => {
  const classify = (name: string) => classifyAttribute(` ${name}=`, 1, name.length + 1);

  it('matches the names in any ASCII case and nothing else', () => {
    expect(classify('href')).toBe(ATTR_HREF);
    expect(classify('HrEf')).toBe(ATTR_HREF);
    expect(classify('data-waymark-label')).toBe(ATTR_LABEL);
    expect(classify('hrefs')).toBe(ATTR_NONE);
    expect(classify('hreé')).toBe(ATTR_NONE);
    expect(classify('style')).toBe(ATTR_NONE);
  });

  it('folds case as toLowerCase does (U+212A KELVIN SIGN is a k), as it always has', () => {
    expect(classify('data-waymar\u212A-label')).toBe(ATTR_LABEL);
  });
});
