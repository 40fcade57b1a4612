import { UAParser } from 'ua-parser-js';

/**
 * Email client, device type and OS of an open, from its user agent. Mail clients and image
 * proxies are recognised by rules first (ua-parser-js v1, MIT, knows browsers, not mail clients),
 * then the browser ua-parser-js finds (webmail read in a browser).
 *
 * `machine` marks opens fetched by a proxy rather than seen by a person: the Gmail and Yahoo image
 * proxies fetch the pixel when the message is displayed (a real open, but device and OS are
 * hidden), Apple Mail Privacy Protection prefetches every image whether the message is read or
 * not (not a real open).
 */
export interface ClientInfo {
  client: string;
  device: string;
  os: string;
  machine: boolean;
}

const UNKNOWN = 'unknown';

interface Rule {
  test: RegExp;
  client: string;
  proxy: boolean;
}

const RULES: readonly Rule[] = [
  { test: /GoogleImageProxy/i, client: 'Gmail', proxy: true },
  { test: /YahooMailProxy/i, client: 'Yahoo Mail', proxy: true },
  { test: /Microsoft Outlook|MSOffice|Outlook-iOS|Outlook-Android|ms-office/i, client: 'Outlook', proxy: false },
  { test: /Thunderbird\//i, client: 'Thunderbird', proxy: false },
];

export function classifyUserAgent(userAgent: string | null): ClientInfo {
  const ua = (userAgent ?? '').trim();
  if (ua === '') return { client: UNKNOWN, device: UNKNOWN, os: UNKNOWN, machine: false };
  // Apple's Mail Privacy Protection prefetches with this bare user agent.
  if (ua === 'Mozilla/5.0') return { client: 'Apple Mail Privacy Protection', device: 'proxy', os: UNKNOWN, machine: true };
  const rule = RULES.find((r) => r.test.test(ua));
  if (rule?.proxy === true) return { client: rule.client, device: 'proxy', os: UNKNOWN, machine: true };
  const r = new UAParser(ua).getResult();
  const os = r.os.name ?? UNKNOWN;
  const device = r.device.type ?? (os === UNKNOWN ? UNKNOWN : 'desktop');
  let client = rule?.client;
  if (client === undefined) {
    const appleOs = os === 'Mac OS' || os === 'iOS';
    // Apple Mail's WebView: WebKit without a Safari or Chrome token.
    if (appleOs && /AppleWebKit/.test(ua) && !/Safari\/|Chrome\/|CriOS|FxiOS/.test(ua)) client = 'Apple Mail';
    else client = r.browser.name ?? 'other';
  }
  return { client, device, os, machine: false };
}

const cache = new Map<string, ClientInfo>();
const CACHE_MAX = 2_000;

/** {@link classifyUserAgent} with a small memo: the hot path sees the same few user agents. */
export function classifyUserAgentCached(userAgent: string | null): ClientInfo {
  const key = userAgent ?? '';
  let info = cache.get(key);
  if (info === undefined) {
    if (cache.size >= CACHE_MAX) cache.clear();
    info = classifyUserAgent(userAgent);
    cache.set(key, info);
  }
  return info;
}
