import { describe, expect, it } from 'vitest';
import { ERRORS, SERVICE_ERROR_CODES } from './errors.js';

describe('the error catalogue', () => {
  it.each(Object.entries(ERRORS))('%s has an error status and a one-line meaning', (code, { status, meaning }) => {
    expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(Number.isInteger(status) && status >= 400 && status <= 599).toBe(true);
    expect(meaning.trim()).not.toBe('');
    expect(meaning).not.toMatch(/\n/);
  });

  it('names each code a use case may raise once, and none that is a server fault', () => {
    expect(new Set(SERVICE_ERROR_CODES).size).toBe(SERVICE_ERROR_CODES.length);
    for (const code of SERVICE_ERROR_CODES) expect(ERRORS[code].status).toBeLessThan(500);
  });
});
