import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HitSignals } from '../model.js';
import { RULE_IDS } from './rules.js';
import { decodeSignals, encodeSignals } from './signals.js';

const signals = fc.record({
  version: fc.integer({ min: 1, max: 3 }),
  rules: fc.array(fc.constantFrom(...RULE_IDS), { maxLength: 4 }),
  method: fc.constantFrom('GET' as const, 'HEAD' as const),
  // Operator list labels are free text: separators and look-alikes of other parts included.
  ipList: fc.option(fc.oneof(fc.string(), fc.constantFrom('', ' ', '\u0001GET', 'apple_mpp', 'a\u0000b')), { nil: null }),
});

describe('signals', () => {
  it('round-trips, and the kept text of one set of signals is never given to another', () => {
    fc.assert(
      fc.property(fc.array(signals, { minLength: 1, maxLength: 30 }), (all: HitSignals[]) => {
        for (const s of [...all, ...all]) {
          const text = encodeSignals(s);
          expect(text).toBe(JSON.stringify({ v: s.version, rules: s.rules, method: s.method, ip_list: s.ipList }));
          expect(decodeSignals(text)).toEqual(s);
        }
      }),
    );
  });

  it('reads nothing from text it did not write', () => {
    for (const text of [null, undefined, '', 'not json', '{"rules":[]}', '{"v":"1","rules":[]}', '[1]']) {
      expect(decodeSignals(text)).toBeNull();
    }
  });
});
