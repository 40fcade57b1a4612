import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLICK_CLASSIFICATIONS, OPEN_CLASSIFICATIONS, type HitFacts } from './labels.js';
import { FAST_HIT_MS, RULES, RULE_IDS, UA_CACHE_MAX, classifyHit, userAgentCacheSize, userAgentVerdict, userAgentVerdictCached } from './rules.js';

const UA = {
  gmailProxy: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  gmailPrefetch: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Mozilla/5.0',
  yahoo: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
  mpp: 'Mozilla/5.0',
  appleMail: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  appleMailIos: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  outlook: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)',
  msoffice: 'Mozilla/4.0 (compatible; ms-office; MSOffice 16)',
  thunderbird: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.9.0',
  chrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
  safari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15',
  firefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0',
  androidWebView: 'Mozilla/5.0 (Linux; Android 14; SM-S921B; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.105 Mobile Safari/537.36',
  cubot: 'Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36',
  barracuda: 'Barracuda Sentinel (EE)',
  googleSafety: 'Google-Safety',
  slack: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  twitter: 'Twitterbot/1.0',
  facebook: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  whatsapp: 'WhatsApp/2.23.20.0 A',
  telegram: 'TelegramBot (like TwitterBot)',
  discord: 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
  linkedin: 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
  skype: 'Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
  officeDiscovery: 'Microsoft Office Existence Discovery',
  headless: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/122.0.0.0 Safari/537.36',
  curl: 'curl/8.4.0',
  requests: 'python-requests/2.31.0',
  go: 'Go-http-client/2.0',
  okhttp: 'okhttp/4.12.0',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
} as const;

const HOUR = 3_600_000;

function hit(over: Partial<HitFacts>): HitFacts {
  return { type: 'opened', method: 'GET', userAgent: UA.chrome, ipList: null, sinceSentMs: HOUR, trap: false, ...over };
}
const open = (userAgent: string | null, over: Partial<HitFacts> = {}) => classifyHit(hit({ type: 'opened', userAgent, ...over }));
const click = (userAgent: string | null, over: Partial<HitFacts> = {}) => classifyHit(hit({ type: 'clicked', userAgent, ...over }));

describe('classifyHit: user agents', () => {
  it.each([
    ['Apple Mail (macOS)', UA.appleMail],
    ['Apple Mail (iOS)', UA.appleMailIos],
    ['Outlook for Windows', UA.outlook],
    ['Outlook for Windows (ms-office)', UA.msoffice],
    ['Thunderbird', UA.thunderbird],
    ['an Android mail app web view', UA.androidWebView],
    ['webmail in Chrome', UA.chrome],
    ['an Android app HTTP stack', UA.okhttp],
    ['a phone whose model name ends in "bot"', UA.cubot],
  ])('keeps an open from %s human, with no proxy', (_name, ua) => {
    expect(open(ua)).toEqual({ classification: 'human', proxy: null, rules: [] });
  });

  it('keeps Gmail and Yahoo proxy opens human, naming the proxy', () => {
    expect(open(UA.gmailProxy)).toEqual({ classification: 'human', proxy: 'google', rules: ['ua_gmail_image_proxy'] });
    expect(open(UA.yahoo)).toEqual({ classification: 'human', proxy: 'yahoo', rules: ['ua_yahoo_mail_proxy'] });
    expect(open(UA.gmailProxy, { ipList: 'proxy:google' })).toEqual({ classification: 'human', proxy: 'google', rules: ['ip_list_proxy', 'ua_gmail_image_proxy'] });
  });

  it("labels Gmail's documented prefetch, and Apple MPP's bare user agent", () => {
    expect(open(UA.gmailPrefetch)).toEqual({ classification: 'prefetch', proxy: 'google', rules: ['ua_gmail_prefetch'] });
    expect(open(UA.gmailPrefetch, { ipList: 'proxy:google' })).toEqual({ classification: 'prefetch', proxy: 'google', rules: ['ip_list_proxy', 'ua_gmail_prefetch'] });
    expect(open(UA.mpp)).toEqual({ classification: 'apple_mpp', proxy: 'apple', rules: ['ua_bare_mozilla'] });
    expect(open(' Mozilla/5.0 ')).toMatchObject({ classification: 'apple_mpp' });
    // MPP only fetches images: a bare Mozilla/5.0 following a link is some other machine.
    expect(click(UA.mpp)).toEqual({ classification: 'other_machine', proxy: null, rules: ['ua_bare_mozilla'] });
  });

  it.each([
    [UA.barracuda, 'security_scanner', 'security_scanner', 'ua_security_scanner'],
    [UA.googleSafety, 'security_scanner', 'security_scanner', 'ua_security_scanner'],
    [UA.slack, 'other_machine', 'link_preview', 'ua_link_preview'],
    [UA.twitter, 'other_machine', 'link_preview', 'ua_link_preview'],
    [UA.facebook, 'other_machine', 'link_preview', 'ua_link_preview'],
    [UA.whatsapp, 'other_machine', 'link_preview', 'ua_link_preview'],
    [UA.telegram, 'other_machine', 'link_preview', 'ua_link_preview'],
    [UA.discord, 'other_machine', 'link_preview', 'ua_link_preview'],
    [UA.linkedin, 'other_machine', 'link_preview', 'ua_link_preview'],
    [UA.skype, 'other_machine', 'link_preview', 'ua_link_preview'],
    [UA.officeDiscovery, 'other_machine', 'prefetch', 'ua_office_discovery'],
    [UA.headless, 'other_machine', 'other_machine', 'ua_headless_browser'],
    [UA.curl, 'other_machine', 'other_machine', 'ua_http_library'],
    [UA.requests, 'other_machine', 'other_machine', 'ua_http_library'],
    [UA.go, 'other_machine', 'other_machine', 'ua_http_library'],
    [UA.googlebot, 'other_machine', 'other_machine', 'ua_crawler'],
  ])('%s: open %s, click %s (%s)', (ua, onOpen, onClick, rule) => {
    expect(open(ua)).toEqual({ classification: onOpen, proxy: null, rules: [rule] });
    expect(click(ua)).toEqual({ classification: onClick, proxy: null, rules: [rule] });
  });

  it("treats Office's and apps' own fetches of a link as machines, their opens as the mail app's", () => {
    expect(click(UA.msoffice)).toEqual({ classification: 'prefetch', proxy: null, rules: ['ua_office_link_check'] });
    expect(click(UA.outlook)).toMatchObject({ classification: 'prefetch' });
    expect(click(UA.okhttp)).toEqual({ classification: 'other_machine', proxy: null, rules: ['ua_app_http_client'] });
    expect(click(UA.yahoo)).toEqual({ classification: 'security_scanner', proxy: 'yahoo', rules: ['ua_yahoo_mail_proxy'] });
    expect(click(UA.gmailProxy)).toEqual({ classification: 'other_machine', proxy: 'google', rules: ['ua_gmail_image_proxy'] });
  });

  it('treats a click without a user agent as a machine, an open without one only when it is fast', () => {
    expect(click(null)).toEqual({ classification: 'other_machine', proxy: null, rules: ['ua_missing'] });
    expect(click('  ')).toMatchObject({ classification: 'other_machine', rules: ['ua_missing'] });
    expect(open(null)).toEqual({ classification: 'human', proxy: null, rules: [] });
    expect(open(null, { sinceSentMs: 2_000 })).toEqual({ classification: 'other_machine', proxy: null, rules: ['fast_unrecognised_client'] });
  });
});

describe('classifyHit: method, time since sending, trap', () => {
  it('labels HEAD a machine, the user agent naming the kind when it can', () => {
    expect(click(UA.chrome, { method: 'HEAD' })).toEqual({ classification: 'other_machine', proxy: null, rules: ['method_head'] });
    expect(open(UA.appleMail, { method: 'HEAD' })).toEqual({ classification: 'other_machine', proxy: null, rules: ['method_head'] });
    expect(click(UA.slack, { method: 'HEAD' })).toMatchObject({ classification: 'link_preview', rules: ['ua_link_preview'] });
  });

  it('keeps a person who clicks a password-reset link seconds after sending human', () => {
    for (const ua of [UA.chrome, UA.safari, UA.firefox, UA.androidWebView]) {
      expect(click(ua, { sinceSentMs: 1_500 })).toEqual({ classification: 'human', proxy: null, rules: [] });
      expect(open(ua, { sinceSentMs: 800 })).toEqual({ classification: 'human', proxy: null, rules: [] });
    }
    expect(open(UA.gmailProxy, { sinceSentMs: 3_000 })).toMatchObject({ classification: 'human', proxy: 'google' });
    expect(open(UA.outlook, { sinceSentMs: 3_000 })).toMatchObject({ classification: 'human' });
  });

  it('labels a fast click by a client that is no browser a machine, a slow one not', () => {
    const odd = 'SomeMailScanner/3.1';
    expect(click(odd, { sinceSentMs: FAST_HIT_MS - 1 })).toEqual({ classification: 'other_machine', proxy: null, rules: ['fast_unrecognised_client'] });
    expect(click(odd, { sinceSentMs: -5 })).toMatchObject({ classification: 'other_machine' });
    expect(click(odd, { sinceSentMs: FAST_HIT_MS })).toEqual({ classification: 'human', proxy: null, rules: [] });
    expect(click(odd, { sinceSentMs: null })).toEqual({ classification: 'human', proxy: null, rules: [] });
    expect(open(odd, { sinceSentMs: 1 })).toEqual({ classification: 'human', proxy: null, rules: [] });
  });

  it('labels a trap click a security scanner, whatever else it shows', () => {
    expect(click(UA.chrome, { trap: true })).toEqual({ classification: 'security_scanner', proxy: null, rules: ['trap_link'] });
    expect(click(UA.slack, { trap: true, ipList: 'proxy:microsoft' })).toEqual({
      classification: 'security_scanner',
      proxy: 'microsoft',
      rules: ['ip_list_proxy', 'trap_link'],
    });
    expect(open(UA.chrome, { trap: true })).toMatchObject({ classification: 'human' });
  });
});

describe('classifyHit: IP list labels', () => {
  it.each([
    ['apple_mpp', 'apple_mpp', 'apple'],
    ['prefetch', 'prefetch', null],
    ['security_scanner', 'security_scanner', null],
    ['link_preview', 'other_machine', null],
    ['other_machine', 'other_machine', null],
  ] as const)('on an open by a mail app, %s means %s', (ipList, kind, proxy) => {
    expect(open(UA.appleMail, { ipList })).toEqual({ classification: kind, proxy, rules: ['ip_list_machine'] });
  });

  it.each([
    ['prefetch', 'prefetch'],
    ['security_scanner', 'security_scanner'],
    ['link_preview', 'link_preview'],
    ['other_machine', 'other_machine'],
  ] as const)('on a click, %s means %s', (ipList, kind) => {
    expect(click(UA.chrome, { ipList })).toEqual({ classification: kind, proxy: null, rules: ['ip_list_machine'] });
  });

  it("reads an apple_mpp address as Apple's relay when the hit cannot be MPP: a click, or an open by a web browser", () => {
    expect(click(UA.safari, { ipList: 'apple_mpp' })).toEqual({ classification: 'human', proxy: 'apple', rules: ['ip_list_apple_relay'] });
    expect(open(UA.safari, { ipList: 'apple_mpp' })).toEqual({ classification: 'human', proxy: 'apple', rules: ['ip_list_apple_relay'] });
    expect(open(UA.mpp, { ipList: 'apple_mpp' })).toEqual({ classification: 'apple_mpp', proxy: 'apple', rules: ['ua_bare_mozilla'] });
    expect(click(UA.curl, { ipList: 'apple_mpp' })).toEqual({ classification: 'other_machine', proxy: 'apple', rules: ['ua_http_library'] });
    expect(click(UA.safari, { ipList: 'apple_mpp', method: 'HEAD' })).toEqual({ classification: 'other_machine', proxy: 'apple', rules: ['ip_list_apple_relay', 'method_head'] });
  });

  it('keeps proxy opens human, naming the proxy', () => {
    for (const proxy of ['google', 'yahoo', 'microsoft', 'apple', 'other'] as const) {
      expect(open(UA.chrome, { ipList: `proxy:${proxy}` })).toEqual({ classification: 'human', proxy, rules: ['ip_list_proxy'] });
    }
  });

  it("labels a click from a mail provider's proxy range a scanner (people click from their own browsers), not from Apple's or another proxy", () => {
    for (const proxy of ['google', 'yahoo', 'microsoft'] as const) {
      expect(click(UA.chrome, { ipList: `proxy:${proxy}` })).toEqual({ classification: 'security_scanner', proxy, rules: ['ip_list_proxy', 'ip_list_provider_click'] });
    }
    expect(click(UA.safari, { ipList: 'proxy:apple' })).toEqual({ classification: 'human', proxy: 'apple', rules: ['ip_list_proxy'] });
    expect(click(UA.chrome, { ipList: 'proxy:other' })).toEqual({ classification: 'human', proxy: 'other', rules: ['ip_list_proxy'] });
  });

  it('reads any other label as other_machine', () => {
    for (const ipList of ['corp-scanner', 'proxy:aol', 'proxy:', 'human']) {
      expect(open(UA.appleMail, { ipList })).toEqual({ classification: 'other_machine', proxy: null, rules: ['ip_list_unknown_label'] });
    }
  });
});

const factsArb: fc.Arbitrary<HitFacts> = fc.record({
  type: fc.constantFrom('opened' as const, 'clicked' as const),
  method: fc.constantFrom('GET' as const, 'HEAD' as const),
  userAgent: fc.oneof(fc.constantFrom(null, '', ...Object.values(UA)), fc.string({ maxLength: 60 })),
  ipList: fc.oneof(
    fc.constant(null),
    fc.constantFrom('apple_mpp', 'prefetch', 'security_scanner', 'link_preview', 'other_machine', 'proxy:google', 'proxy:yahoo', 'proxy:microsoft', 'proxy:apple', 'proxy:other', 'x'),
  ),
  sinceSentMs: fc.option(fc.integer({ min: -1_000, max: 30 * HOUR })),
  trap: fc.boolean(),
});

describe('classifyHit: every hit', () => {
  it('gives a kind that exists for its type, names only listed per-hit rules, and names the proxy the list says (property)', () => {
    const hitRules = new Set(RULES.filter((r) => r.stage === 'hit').map((r) => r.id as string));
    fc.assert(
      fc.property(factsArb, (facts) => {
        const label = classifyHit(facts);
        const kinds: readonly string[] = facts.type === 'opened' ? OPEN_CLASSIFICATIONS : CLICK_CLASSIFICATIONS;
        expect(kinds).toContain(label.classification);
        for (const r of label.rules) expect(hitRules.has(r), r).toBe(true);
        expect(label.rules.length).toBe(new Set(label.rules).size);
        if (facts.ipList?.startsWith('proxy:') && ['google', 'yahoo', 'microsoft', 'apple', 'other'].includes(facts.ipList.slice(6))) {
          expect(label.proxy).toBe(facts.ipList.slice(6));
        }
        if (label.classification !== 'human') expect(label.rules.length).toBeGreaterThan(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('judges a user agent the same from the cache as afresh, and keeps the cache bounded', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 80 })), (ua) => {
        expect(userAgentVerdictCached(ua)).toEqual(userAgentVerdict(ua));
      }),
    );
    for (let i = 0; i < UA_CACHE_MAX + 500; i++) userAgentVerdictCached(`agent/${i}`);
    expect(userAgentCacheSize()).toBeLessThanOrEqual(UA_CACHE_MAX);
    userAgentVerdictCached(`${'x'.repeat(600)}`);
    expect(userAgentCacheSize()).toBeLessThanOrEqual(UA_CACHE_MAX);
  });

  it('costs well under a microsecond a hit for repeated user agents', () => {
    const agents = Object.values(UA);
    const facts = agents.map((userAgent, i) => hit({ type: i % 2 === 0 ? 'opened' : 'clicked', userAgent, ipList: i % 3 === 0 ? 'proxy:google' : null }));
    for (const f of facts) classifyHit(f);
    const n = 300_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) classifyHit(facts[i % facts.length]!);
    const perHitNs = Number(process.hrtime.bigint() - start) / n;
    expect(perHitNs).toBeLessThan(1_000);
  });
});

describe('RULES', () => {
  it('lists each rule once, with what it decides and a public source', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual([...RULE_IDS].sort());
    for (const r of RULES) {
      expect(r.appliesTo.length).toBeGreaterThan(0);
      expect(r.decides.length).toBeGreaterThan(10);
      expect(r.source).toMatch(/https:\/\/|RFC \d+|the operator/);
    }
  });

  it('are each documented in docs/classification.md', () => {
    const doc = readFileSync(new URL('../../../docs/classification.md', import.meta.url), 'utf8');
    for (const r of RULES) expect(doc, r.id).toContain(`\`${r.id}\``);
  });
});
