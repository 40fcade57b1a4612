import { describe, expect, it } from 'vitest';
import { isPublicAddress, urlProblem } from './address-policy.js';

describe('which addresses a webhook may reach', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '100.127.255.255', '0.0.0.0', '255.255.255.255', '224.0.0.1', '239.255.255.250', '192.0.2.1',
    '198.18.0.1', '240.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '2001:db8::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a00:1', '2002:a00:1::', 'not-an-ip',
  ])('refuses %s', (ip) => expect(isPublicAddress(ip)).toBe(false));

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
