import { describe, expect, it } from 'vitest';
import { IpListSyntaxError, countRangesByLabel, formatIpList, formatIpRange, parseIpList, parseIpListFileSpec } from './ip-lists.js';

describe('parseIpList, our own format', () => {
  it('reads CIDR and label separated by spaces, tabs or a comma, with comments and blank lines', () => {
    const list = parseIpList(['# gateway ranges', '', '192.0.2.0/24 security_scanner', '198.51.100.0/25,\tproxy:google  # trailing comment', '2001:DB8::/32 , apple_mpp', '  203.0.113.7  other.machine-1  ', ''].join('\r\n'));
    expect(list.format).toBe('waymark');
    expect(list.ranges.map((r) => [formatIpRange(r), r.label, r.line])).toEqual([
      ['192.0.2.0/24', 'security_scanner', 3],
      ['198.51.100.0/25', 'proxy:google', 4],
      ['203.0.113.7/32', 'other.machine-1', 6],
      ['2001:db8::/32', 'apple_mpp', 5],
    ]);
  });

  it('labels a line without one from the "# label:" line above it, else from the caller', () => {
    const text = ['10.0.0.0/8', '# label: security_scanner', '192.0.2.0/24', '198.51.100.0/24 apple_mpp', '#Label:proxy:other', '203.0.113.0/24'].join('\n');
    expect(parseIpList(text, { label: 'from_config' }).ranges.map((r) => r.label)).toEqual(['from_config', 'security_scanner', 'apple_mpp', 'proxy:other']);
    expect(() => parseIpList(text)).toThrow(/^line 1: 10\.0\.0\.0\/8 has no label/);
  });

  it('turns an IPv4-mapped IPv6 range into an IPv4 range, and a bare address into a single host; sorts the ranges', () => {
    const list = parseIpList('::ffff:192.0.2.0/120 a\n::ffff:c633:6400/120 b\n2001:db8::1 c\n192.0.2.9 d\n::/95 e\n');
    expect(list.ranges.map((r) => formatIpRange(r))).toEqual(['192.0.2.0/24', '192.0.2.9/32', '198.51.100.0/24', '::/95', '2001:db8::1/128']);
  });

  it('drops a range listed twice with one label, and refuses one listed with two', () => {
    expect(parseIpList('10.0.0.0/8 a\n10.0.0.0/8 a\n').ranges).toHaveLength(1);
    expect(() => parseIpList('10.0.0.0/8 a\n\n10.0.0.0/8 b\n')).toThrow('line 3: 10.0.0.0/8 is listed on line 1 already, as a');
  });

  it.each([
    ['10.0.0.0/33 a', 'line 1: "10.0.0.0/33": the prefix length is over 32'],
    ['2001:db8::/129 a', 'line 1: "2001:db8::/129": the prefix length is over 128'],
    ['10.0.0.1/8 a', 'line 1: "10.0.0.1/8" has bits set past its prefix length (the range would be 10.0.0.0/8)'],
    ['10.0.0.256/32 a', 'line 1: "10.0.0.256/32" is not an IP range'],
    ['010.0.0.0/8 a', 'line 1: "010.0.0.0/8" is not an IP range'],
    ['10.0.0/24 a', 'line 1: "10.0.0/24" is not an IP range'],
    ['10.0.0.0/ a', 'line 1: "10.0.0.0/" is not an IP range'],
    ['10.0.0.0/-1 a', 'line 1: "10.0.0.0/-1" is not an IP range'],
    ['example.com a', 'line 1: "example.com" is not an IP range'],
    ['10.0.0.0/8 Apple', 'line 1: "Apple" is not a valid label'],
    ['10.0.0.0/8 a b', 'line 1: expected "<CIDR> [label]", got "10.0.0.0/8 a b"'],
    ['# label: Not Valid', 'line 1: "Not Valid" is not a valid label'],
    [`10.0.0.0/8 ${'x'.repeat(65)}`, 'is not a valid label'],
  ])('refuses %j naming the line', (line, message) => {
    const text = `192.0.2.0/24 ok\n# a comment\n${line}\n`;
    let error: unknown;
    try {
      parseIpList(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IpListSyntaxError);
    expect((error as IpListSyntaxError).line).toBe(3);
    expect((error as Error).message).toContain(message.replace('line 1', 'line 3'));
  });

  it('reads an empty list as no ranges', () => {
    expect(parseIpList('').ranges).toEqual([]);
    expect(parseIpList('# nothing yet\n\n').ranges).toEqual([]);
  });
});

describe("parseIpList, Apple's egress CSV", () => {
  const apple = ['172.224.224.0/27,GB,GB-EN,London,', '2a02:26f7:b3c0:4000::/64,GB,GB-EN,London,', '104.28.0.0/28,US,US-CA,,', ''].join('\n');

  it('is recognised, and labelled by the caller', () => {
    const list = parseIpList(apple, { label: 'apple_mpp' });
    expect(list.format).toBe('apple-csv');
    expect(list.ranges.map((r) => [formatIpRange(r), r.label])).toEqual([
      ['104.28.0.0/28', 'apple_mpp'],
      ['172.224.224.0/27', 'apple_mpp'],
      ['2a02:26f7:b3c0:4000::/64', 'apple_mpp'],
    ]);
    expect(parseIpList(apple, { label: 'apple_mpp', format: 'apple-csv' }).ranges).toHaveLength(3);
  });

  it('needs a label', () => {
    expect(() => parseIpList(apple)).toThrow('line 1: 172.224.224.0/27 has no label: give the file a label (path=label, or --label)');
  });

  it('refuses a bad prefix naming the line, and is refused when read as our own format', () => {
    expect(() => parseIpList(`${apple}172.224.224.0/99,GB,GB-EN,London,\n`, { label: 'apple_mpp' })).toThrow(/^line 4: /);
    expect(() => parseIpList(apple, { label: 'apple_mpp', format: 'waymark' })).toThrow(/^line 1: expected "<CIDR> \[label\]"/);
  });
});

describe('parseIpListFileSpec', () => {
  it('splits path=label at the last "="', () => {
    expect(parseIpListFileSpec('/etc/waymark/apple.csv=apple_mpp')).toEqual({ path: '/etc/waymark/apple.csv', label: 'apple_mpp' });
    expect(parseIpListFileSpec(' lists/gw.txt ')).toEqual({ path: 'lists/gw.txt', label: null });
    expect(parseIpListFileSpec('/a=b/list=proxy:google')).toEqual({ path: '/a=b/list', label: 'proxy:google' });
  });

  it('refuses no path and a bad label', () => {
    expect(() => parseIpListFileSpec('=apple_mpp')).toThrow(/names no file/);
    expect(() => parseIpListFileSpec('/x.csv=Apple MPP')).toThrow(/the label "Apple MPP" is not valid/);
    expect(() => parseIpListFileSpec('/x.csv=')).toThrow(/the label "" is not valid/);
  });
});

describe('formatIpList', () => {
  it('writes a list that reads back the same', () => {
    const list = parseIpList('10.0.0.0/8 a\n2001:db8::/32 b\n192.0.2.1 c\n');
    const text = formatIpList(list.ranges, ['source: https://example.com/x', 'label: a']);
    expect(text).toBe('# source: https://example.com/x\n# label: a\n10.0.0.0/8 a\n192.0.2.1/32 c\n2001:db8::/32 b\n');
    expect(parseIpList(text).ranges.map(formatIpRange)).toEqual(list.ranges.map(formatIpRange));
  });

  it('counts ranges by label', () => {
    expect(countRangesByLabel(parseIpList('10.0.0.0/8 b\n11.0.0.0/8 a\n12.0.0.0/8 b\n').ranges)).toEqual([['a', 1], ['b', 2]]);
  });
});
