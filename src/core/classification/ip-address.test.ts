import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { parseIPv4, parseIPv6 } from './ip-address.js';

describe('parseIPv4 and parseIPv6', () => {
  it('agrees with ipaddr.js on IPv4 and IPv6 addresses in every text form', () => {
    const words = new Uint32Array(4);
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(parseIPv4(ip, 0, ip.length)).toBe(ipaddr.IPv4.parse(ip).toByteArray().reduce((n, b) => n * 256 + b, 0));
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect(parseIPv6(ip, 0, ip.length, words)).toBe(true);
        // ipaddr.js reads the deprecated IPv4-compatible form ::a.b.c.d as ::ffff:a.b.c.d; RFC 4291 does not.
        if (/^::[0-9.]+$/.test(ip)) return;
        const bytes = ipaddr.IPv6.parse(ip).toByteArray();
        expect([...words]).toEqual([0, 1, 2, 3].map((k) => bytes.slice(k * 4, k * 4 + 4).reduce((n, b) => n * 256 + b, 0)));
      }),
    );
  });

  it('refuses what is not an address, as ipaddr.js does', () => {
    const words = new Uint32Array(4);
    for (const bad of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8::', '12345::', 'g::', '1:', ':1', '::1.2.3', '::1.2.3.4.5', '1.2.3.4::', '1:2:3:4:5:6:7:1.2.3.4', '::256.0.0.0']) {
      expect(parseIPv6(bad, 0, bad.length, words), bad).toBe(false);
      expect(ipaddr.IPv6.isValid(bad), bad).toBe(false);
    }
    for (const bad of ['', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '256.1.1.1', '01.1.1.1', '1.2.3.4 ', 'a.b.c.d']) expect(parseIPv4(bad, 0, bad.length), bad).toBe(-1);
  });
});
