import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyIpMode } from './ip-privacy.js';

describe('applyIpMode', () => {
  it.each([
    ['203.0.113.77', 'full', '203.0.113.77'],
    ['203.0.113.77', 'truncated', '203.0.113.0'],
    ['203.0.113.77', 'none', null],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', 'truncated', '2001:db8:85a3::'],
    ['2001:db8::1', 'truncated', '2001:db8:0::'],
    ['::1', 'truncated', '0:0:0::'],
    ['::ffff:198.51.100.9', 'truncated', '::ffff:198.51.100.0'],
    ['fe80::1%eth0', 'truncated', 'fe80:0:0::'],
    ['not-an-ip', 'truncated', null],
  ] as const)('%s in %s mode → %s', (ip, mode, expected) => {
    expect(applyIpMode(ip, mode)).toBe(expected);
  });

  it('keeps exactly the first 48 bits of any IPv6 address (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const out = applyIpMode(ip, 'truncated')!;
        expect(isIP(out)).toBe(6);
        const bits = (a: string) => expand(a).slice(0, 3).map((g) => parseInt(g, 16));
        if (!/^::ffff:\d/i.test(ip)) expect(bits(out)).toEqual(bits(ip));
      }),
    );
  });

  it('zeroes the last octet of any IPv4 address (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const out = applyIpMode(ip, 'truncated')!;
        expect(out.split('.').slice(0, 3)).toEqual(ip.split('.').slice(0, 3));
        expect(out.endsWith('.0')).toBe(true);
      }),
    );
  });
});

/** Reference IPv6 expansion through the URL parser. */
function expand(ip: string): string[] {
  const host = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [h, t] = host.includes('::') ? host.split('::') : [host, undefined];
  const hs = h ? h.split(':') : [];
  const ts = t ? t.split(':') : [];
  return [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts];
}
