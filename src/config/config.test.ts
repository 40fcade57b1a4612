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
