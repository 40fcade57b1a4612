import { describe, expect, it } from 'vitest';
import { addressProblem, isPublicAddress, urlProblem } from './address-policy.js';

describe('which addresses a webhook may reach', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '100.127.255.255', '0.0.0.0', '255.255.255.255', '224.0.0.1', '239.255.255.250', '192.0.2.1',
    '198.18.0.1', '240.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '2001:db8::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a00:1', '2002:a00:1::', 'not-an-ip',
  ])('refuses %s', (ip) => expect(isPublicAddress(ip)).toBe(false));

  // IPv4-compatible IPv6 (::/96, deprecated) carries an IPv4 address that some stacks still route to.
  it.each(['::127.0.0.1', '::7f00:1', '::10.0.0.1', '::8.8.8.8', '::169.254.169.254'])('refuses the IPv4-compatible %s', (ip) =>
    expect(addressProblem(ip)).toMatch(/not a global unicast/),
  );

  // The first and last address of every entry of the IANA special-purpose registries.
  it.each([
    ['0.0.0.0', '0.255.255.255'], ['10.0.0.0', '10.255.255.255'], ['100.64.0.0', '100.127.255.255'], ['127.0.0.0', '127.255.255.255'],
    ['169.254.0.0', '169.254.255.255'], ['172.16.0.0', '172.31.255.255'], ['192.0.0.0', '192.0.0.255'], ['192.0.0.9', '192.0.0.10'],
    ['192.0.0.170', '192.0.0.171'], ['192.0.2.0', '192.0.2.255'], ['192.31.196.0', '192.31.196.255'], ['192.52.193.0', '192.52.193.255'],
    ['192.88.99.0', '192.88.99.255'], ['192.168.0.0', '192.168.255.255'], ['192.175.48.0', '192.175.48.255'], ['198.18.0.0', '198.19.255.255'],
    ['198.51.100.0', '198.51.100.255'], ['203.0.113.0', '203.0.113.255'], ['224.0.0.0', '239.255.255.255'], ['240.0.0.0', '255.255.255.255'],
    ['::', '::'], ['::1', '::1'], ['::ffff:0:0', '::ffff:ffff:ffff'], ['64:ff9b::', '64:ff9b::ffff:ffff'], ['64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff'],
    ['100::', '100::ffff:ffff:ffff:ffff'], ['100:0:0:1::', '100:0:0:1:ffff:ffff:ffff:ffff'], ['2001::', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['2001:1::1', '2001:1::3'], ['2001:2::', '2001:2:0:ffff:ffff:ffff:ffff:ffff'], ['2001:3::', '2001:3:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['2001:4:112::', '2001:4:112:ffff:ffff:ffff:ffff:ffff'], ['2001:20::', '2001:2f:ffff:ffff:ffff:ffff:ffff:ffff'], ['2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['2002::', '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff'], ['2620:4f:8000::', '2620:4f:8000:ffff:ffff:ffff:ffff:ffff'], ['3fff::', '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['5f00::', '5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff'], ['fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'], ['fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ])('refuses %s to %s', (first, last) => {
    expect(addressProblem(first)).not.toBeNull();
    expect(addressProblem(last)).not.toBeNull();
  });

  it.each(['2001:200::1', '2001:4860:4860::8888', '2620:4f:8001::1', '3fff:1000::1', '2a00:1450:4001::1', '192.0.1.255', '192.0.3.0', '198.20.0.1', '223.255.255.255'])(
    'allows the public neighbour %s',
    (ip) => expect(addressProblem(ip)).toBeNull(),
  );

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows %s', (ip) =>
    expect(isPublicAddress(ip)).toBe(true),
  );

  it('refuses URLs that are not http(s) or that carry credentials', () => {
    expect(urlProblem('https://hooks.example.com/x')).toBeNull();
    expect(urlProblem('http://hooks.example.com/x')).toBeNull();
    expect(urlProblem('ftp://hooks.example.com/')).toMatch(/http/);
    expect(urlProblem('file:///etc/passwd')).toMatch(/http/);
    expect(urlProblem('https://user:pw@hooks.example.com/')).toMatch(/credentials/);
    expect(urlProblem('not a url')).toMatch(/valid/);
  });
});
