import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyUserAgent, classifyUserAgentCached } from './user-agents.js';

describe('classifyUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)', 'Gmail', 'proxy', 'unknown', true],
    ['YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html', 'Yahoo Mail', 'proxy', 'unknown', true],
    ['Mozilla/5.0', 'Apple Mail Privacy Protection', 'proxy', 'unknown', true],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148', 'Apple Mail', 'mobile', 'iOS', false],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)', 'Apple Mail', 'desktop', 'Mac OS', false],
    ['Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)', 'Outlook', 'desktop', 'Windows', false],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Thunderbird/115.5.0', 'Thunderbird', 'desktop', 'Windows', false],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'Chrome', 'desktop', 'Windows', false],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
      'Chrome',
      'mobile',
      'Android',
      false,
    ],
    ['', 'unknown', 'unknown', 'unknown', false],
  ])('%s → %s / %s / %s', (ua, client, device, os, machine) => {
    expect(classifyUserAgent(ua)).toEqual({ client, device, os, machine });
  });

  it('always answers non-empty names, the same with and without the cache (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 200 })), (ua) => {
        const info = classifyUserAgent(ua);
        for (const v of [info.client, info.device, info.os]) expect(v.length).toBeGreaterThan(0);
        expect(classifyUserAgentCached(ua)).toEqual(info);
      }),
    );
  });
});
