import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const base = { WAYMARK_DATA_DIR: '/tmp/waymark-config-test', WAYMARK_DATABASE_URL: 'sqlite::memory:' };

describe('WAYMARK_EVENT_RETENTION_DAYS', () => {
  it('is unset by default: events are kept forever', () => {
    expect(loadConfig(base).eventRetentionDays).toBeNull();
    expect(loadConfig({ ...base, WAYMARK_EVENT_RETENTION_DAYS: '  ' }).eventRetentionDays).toBeNull();
  });

  it('takes a positive whole number of days', () => {
    expect(loadConfig({ ...base, WAYMARK_EVENT_RETENTION_DAYS: '30' }).eventRetentionDays).toBe(30);
    expect(loadConfig({ ...base, WAYMARK_EVENT_RETENTION_DAYS: ' 395 ' }).eventRetentionDays).toBe(395);
    expect(loadConfig({ ...base, WAYMARK_EVENT_RETENTION_DAYS: '36500' }).eventRetentionDays).toBe(36_500);
  });

  it.each(['0', '-1', '1.5', '1e3', '0x10', 'thirty', '30d', '36501', '99999999999999999999'])('refuses %j with a ConfigError', (v) => {
    expect(() => loadConfig({ ...base, WAYMARK_EVENT_RETENTION_DAYS: v })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, WAYMARK_EVENT_RETENTION_DAYS: v })).toThrow(/WAYMARK_EVENT_RETENTION_DAYS must be a positive whole number of days/);
  });
});

describe('WAYMARK_MACHINE_IP_LISTS', () => {
  it('is empty by default: no lists', () => {
    expect(loadConfig(base).machineIpLists).toEqual([]);
    expect(loadConfig({ ...base, WAYMARK_MACHINE_IP_LISTS: ' , ' }).machineIpLists).toEqual([]);
  });

  it('takes comma-separated paths, each optionally path=label, made absolute', () => {
    const config = loadConfig({ ...base, WAYMARK_MACHINE_IP_LISTS: '/etc/waymark/apple.csv=apple_mpp, lists/gateway.txt ,/etc/waymark/google.txt=proxy:google' });
    expect(config.machineIpLists).toEqual([
      { path: '/etc/waymark/apple.csv', label: 'apple_mpp' },
      { path: path.resolve('lists/gateway.txt'), label: null },
      { path: '/etc/waymark/google.txt', label: 'proxy:google' },
    ]);
  });

  it.each([
    ['/etc/waymark/apple.csv=Apple MPP', /WAYMARK_MACHINE_IP_LISTS: .*the label "Apple MPP" is not valid/],
    ['/etc/waymark/apple.csv=', /WAYMARK_MACHINE_IP_LISTS: .*the label "" is not valid/],
    ['=apple_mpp', /WAYMARK_MACHINE_IP_LISTS: "=apple_mpp" names no file/],
    [`/x.txt=${'a'.repeat(65)}`, /WAYMARK_MACHINE_IP_LISTS: .*is not valid/],
    ['/etc/a.txt=x,/etc/../etc/a.txt', /WAYMARK_MACHINE_IP_LISTS names \/etc\/a\.txt twice/],
  ])('refuses %j with a ConfigError', (v, message) => {
    expect(() => loadConfig({ ...base, WAYMARK_MACHINE_IP_LISTS: v })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, WAYMARK_MACHINE_IP_LISTS: v })).toThrow(message);
  });
});
