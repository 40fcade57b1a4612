import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidReturnPathLabel, isValidSubdomainLabel, parseDomainName } from './domain-name.js';

function accepted(input: string): string {
  const result = parseDomainName(input);
  if (!result.ok) throw new Error(`refused ${JSON.stringify(input)}: ${result.reason}`);
  return result.name;
}

function refusal(input: string): string {
  const result = parseDomainName(input);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(input)} as ${result.name}`);
  return result.reason;
}

describe('parseDomainName accepts and normalises', () => {
  it.each([
    ['registrable domain', 'example.com', 'example.com'],
    ['subdomain', 'links.example.com', 'links.example.com'],
    ['deep subdomain', 'a.b.c.example.co.uk', 'a.b.c.example.co.uk'],
    ['uppercase', 'Links.EXAMPLE.com', 'links.example.com'],
    ['trailing dot', 'example.com.', 'example.com'],
    ['surrounding whitespace', '  example.com\n', 'example.com'],
    ['IDN', 'bücher.example', 'xn--bcher-kva.example'],
    ['IDN in uppercase', 'BÜCHER.example', 'xn--bcher-kva.example'],
    ['punycode as given', 'xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['under co.uk', 'example.co.uk', 'example.co.uk'],
    ['under a private suffix', 'user.github.io', 'user.github.io'],
    ['unlisted TLD', 'example.test', 'example.test'],
    ['digits and inner hyphens', '1st-class.ex-ample.com', '1st-class.ex-ample.com'],
    ['63-character label', `${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
  ])('%s: %s', (_, input, name) => expect(accepted(input)).toBe(name));

  it('accepts a 253-character name', () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(name).toHaveLength(253);
    expect(accepted(name)).toBe(name);
  });
});

describe('parseDomainName refuses, saying why', () => {
  it.each([
    ['empty', '', /enter a domain/i],
    ['only spaces', '   ', /enter a domain/i],
    ['inner space', 'exa mple.com', /spaces/],
    ['public suffix com', 'com', /single label/],
    ['public suffix co.uk', 'co.uk', /public suffix/],
    ['private public suffix github.io', 'github.io', /public suffix/],
    ['unlisted TLD alone', 'test', /single label/],
    ['localhost', 'localhost', /single label/],
    ['wildcard', '*.example.com', /wildcard/i],
    ['IPv4', '1.2.3.4', /IP address/],
    ['IPv4 shorthand', '127.1', /IP address/],
    ['IPv4 hex', '0x7f.0.0.1', /IP address/],
    ['IPv4 with trailing dot', '1.2.3.4.', /IP address/],
    ['IPv6', '2001:db8::1', /IP address/],
    ['IPv6 in brackets', '[::1]', /IP address/],
    ['numeric TLD', 'example.123', /end in a number/],
    ['https URL', 'https://example.com', /not a URL/],
    ['URL with path', 'https://example.com/path', /not a URL/],
    ['path', 'example.com/path', /path/],
    ['port', 'example.com:443', /port/],
    ['user', 'me@example.com', /user name/],
    ['underscore', 'my_host.example.com', /"_"/],
    ['percent', 'a%41.example.com', /"%"/],
    ['leading hyphen', '-links.example.com', /hyphen/],
    ['trailing hyphen', 'links-.example.com', /hyphen/],
    ['double dot', 'links..example.com', /empty parts/],
    ['leading dot', '.example.com', /empty parts/],
    ['two trailing dots', 'example.com..', /empty parts/],
    ['64-character label', `${'a'.repeat(64)}.com`, /at most 63/],
    ['invalid punycode', 'xn--zz.example.com', /internationalised/],
  ])('%s: %j', (_, input, reason) => expect(refusal(input)).toMatch(reason));

  it('refuses a 254-character name', () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`;
    expect(name).toHaveLength(254);
    expect(refusal(name)).toMatch(/at most 253/);
  });
});

describe('parseDomainName properties', () => {
  const domainish = fc.array(
    fc.oneof(fc.constantFrom('a', 'b', 'ü', 'é', 'x', 'n', '-', '.', '1', '0', 'ß', 'ä'), fc.string({ maxLength: 2 })),
    { maxLength: 40 },
  ).map((parts) => parts.join(''));

  it('never throws, and its output parses to itself', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), domainish, domainish.map((s) => `${s}.com`)), (input) => {
        const first = parseDomainName(input);
        if (first.ok) expect(parseDomainName(first.name)).toEqual(first);
        else expect(first.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('labels', () => {
  it.each(['bounces', 'b', 'rp1', 'Mail-From', 'a'.repeat(63)])('return-path label %s is valid', (label) =>
    expect(isValidReturnPathLabel(label)).toBe(true),
  );
  it.each(['', '1bounce', '-b', 'b-', 'a.b', 'a_b', 'bö', 'a'.repeat(64)])('return-path label %j is not', (label) =>
    expect(isValidReturnPathLabel(label)).toBe(false),
  );
  it.each(['links', '1st', '9', 'go-here', 'a'.repeat(63)])('subdomain label %s is valid', (label) =>
    expect(isValidSubdomainLabel(label)).toBe(true),
  );
  it.each(['', '-x', 'x-', 'links.example', 'a b', '*', 'a'.repeat(64)])('subdomain label %j is not', (label) =>
    expect(isValidSubdomainLabel(label)).toBe(false),
  );
});
