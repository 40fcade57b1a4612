import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeToken } from '../tokens/index.js';
import { openToken, signerKind } from './click-tokens.js';
import { keyring } from './instrument.test-helpers.js';

describe('openToken', () => {
  it('makes the same open tokens as encodeToken', () => {
    expect(signerKind(keyring)).toBe('fast');
    fc.assert(
      fc.property(fc.uuid(), fc.nat(), (emailId, hostId) => {
        expect(openToken(keyring, emailId, hostId)).toBe(encodeToken(keyring, { kind: 'open', emailId, hostId }));
      }),
      { numRuns: 500 },
    );
  });

  it('makes the same aggregate open tokens as encodeToken', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.nat(), (cohortId, hostId) => {
        expect(openToken(keyring, cohortId, hostId, 'cohort')).toBe(encodeToken(keyring, { kind: 'aggregate_open', cohortId, hostId }));
      }),
      { numRuns: 500 },
    );
  });
});
