import type { HitClassification, HitFacts, HitLabel, HitProxy } from './labels.js';

/**
 * The per-hit rules: what one open or click shows by itself (user agent, method, the operator's IP
 * list label, time since sending, the trap link). Runs on every hit, so the user-agent part is
 * memoised. The context rules (several hits of one email) are in context.ts; every rule, with its
 * public source, is in RULES below and in docs/classification.md.
 */

export const RULE_IDS = [
  'trap_link',
  'ua_gmail_prefetch',
  'ua_gmail_image_proxy',
  'ua_yahoo_mail_proxy',
  'ua_bare_mozilla',
  'ua_security_scanner',
  'ua_link_preview',
  'ua_office_discovery',
  'ua_office_link_check',
  'ua_headless_browser',
  'ua_http_library',
  'ua_app_http_client',
  'ua_crawler',
  'ua_missing',
  'ip_list_machine',
  'ip_list_unknown_label',
  'ip_list_proxy',
  'ip_list_provider_click',
  'ip_list_apple_relay',
  'method_head',
  'fast_unrecognised_client',
  'trap_burst',
  'link_burst',
  'open_click_same_client',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export type HitType = HitFacts['type'];

export interface ClassificationRule {
  id: RuleId;
  /** `hit`: classifyHit, from one hit; `context`: contextLabels, from the email's other hits. */
  stage: 'hit' | 'context';
  appliesTo: readonly HitType[];
  decides: string;
  /** Where the behaviour the rule relies on is published. */
  source: string;
}

const BOTH: readonly HitType[] = ['opened', 'clicked'];
const CLICKS: readonly HitType[] = ['clicked'];

export const RULES: readonly ClassificationRule[] = [
  {
    id: 'trap_link',
    stage: 'hit',
    appliesTo: CLICKS,
    decides: 'a click on the hidden trap link, which no person sees: security_scanner',
    source: 'US patent 12,489,787, "Email bot click detection" (hidden honeypot link), https://patents.google.com/patent/US12489787',
  },
  {
    id: 'ua_gmail_prefetch',
    stage: 'hit',
    appliesTo: BOTH,
    decides: "Gmail's prefetch user agent (Chrome/42 … Edge/12.246 Mozilla/5.0): open prefetch via google; click other_machine",
    source: 'SparkPost, "Gmail is prefetching images" (2022), https://www.sparkpost.com/blog/gmail-prefetching-images/',
  },
  {
    id: 'ua_gmail_image_proxy',
    stage: 'hit',
    appliesTo: BOTH,
    decides: "GoogleImageProxy: open human via google (Gmail fetches when the message is shown); click other_machine",
    source: 'Gmail blog, "Images now showing" (2013), https://gmail.googleblog.com/2013/12/images-now-showing.html',
  },
  {
    id: 'ua_yahoo_mail_proxy',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'YahooMailProxy: open human via yahoo; click security_scanner (it fetches linked pages to check them)',
    source: 'Yahoo Help, "Yahoo Mail Proxy", https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
  },
  {
    id: 'ua_bare_mozilla',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'the bare user agent "Mozilla/5.0": open apple_mpp via apple; click other_machine (no browser sends it, MPP fetches no links)',
    source:
      'Mailgun, "Open and click bot detection", https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/open-click-bot-detect; Mailgun blog, "Bot detection", https://www.mailgun.com/blog/product/bot-detection/',
  },
  {
    id: 'ua_security_scanner',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'a security gateway naming itself (Barracuda, Proofpoint, Mimecast, Cisco IronPort, Trend Micro, Google-Safety): security_scanner',
    source:
      'Matomo device-detector bot list (Barracuda Sentinel), https://github.com/matomo-org/device-detector/blob/master/regexes/bots.yml; Google special-case crawlers (Google-Safety), https://developers.google.com/search/docs/crawling-indexing/google-special-case-crawlers',
  },
  {
    id: 'ua_link_preview',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'a chat or social link-preview fetcher (Slack, X, Facebook, WhatsApp, Telegram, Discord, LinkedIn, Skype/Teams…): click link_preview; open other_machine',
    source:
      'https://api.slack.com/robots; https://developers.facebook.com/docs/sharing/webmasters/web-crawlers; https://developer.x.com/en/docs/x-for-websites/cards/guides/troubleshooting-cards; https://www.linkedin.com/help/linkedin/answer/a521928; crawler-user-agents, https://github.com/monperrus/crawler-user-agents',
  },
  {
    id: 'ua_office_discovery',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'Microsoft Office Existence/Protocol Discovery: click prefetch; open other_machine',
    source: 'Microsoft, "Description of the Microsoft Office Existence Discovery protocol" (2008), https://learn.microsoft.com/en-us/archive/blogs/vsofficedeveloper/description-of-the-microsoft-office-existence-discovery-protocol-2',
  },
  {
    id: 'ua_office_link_check',
    stage: 'hit',
    appliesTo: CLICKS,
    decides: "ms-office / MSOffice / Microsoft Office on a click: prefetch (Office fetches the link before the browser does); on an open it is Outlook showing the message: human",
    source: 'Webmasters Stack Exchange, Office link pre-fetching with an ms-office user agent, https://webmasters.stackexchange.com/questions/71112',
  },
  {
    id: 'ua_headless_browser',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'HeadlessChrome or PhantomJS: other_machine',
    source: 'crawler-user-agents, https://github.com/monperrus/crawler-user-agents',
  },
  {
    id: 'ua_http_library',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'an HTTP library or command-line tool (curl, Wget, python-requests, Go-http-client, Java, axios…): other_machine',
    source: 'crawler-user-agents, https://github.com/monperrus/crawler-user-agents',
  },
  {
    id: 'ua_app_http_client',
    stage: 'hit',
    appliesTo: CLICKS,
    decides: "an app's HTTP stack (okhttp, Dalvik, CFNetwork) on a click: other_machine (links open in a browser); on an open it may be a mail app: no decision",
    source: 'OkHttp, https://square.github.io/okhttp/; Android HttpURLConnection (Dalvik user agent), https://developer.android.com/reference/java/net/HttpURLConnection',
  },
  {
    id: 'ua_crawler',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'a self-declared robot ("bot/", "crawler", "spider", a "+http" contact URL): other_machine',
    source: 'crawler-user-agents, https://github.com/monperrus/crawler-user-agents',
  },
  {
    id: 'ua_missing',
    stage: 'hit',
    appliesTo: CLICKS,
    decides: 'a click without a user agent: other_machine (every browser sends one)',
    source: 'RFC 9110 §10.1.5 User-Agent, https://www.rfc-editor.org/rfc/rfc9110#name-user-agent',
  },
  {
    id: 'ip_list_machine',
    stage: 'hit',
    appliesTo: BOTH,
    decides: "the client address is in the operator's list labelled apple_mpp, prefetch, security_scanner, link_preview or other_machine: that kind (link_preview on an open: other_machine)",
    source: 'the operator; e.g. Apple iCloud Private Relay egress ranges, https://mask-api.icloud.com/egress-ip-ranges.csv',
  },
  {
    id: 'ip_list_unknown_label',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'the address is in a list whose label is none of the known ones: other_machine',
    source: 'the operator (docs/machine-ip-lists.md)',
  },
  {
    id: 'ip_list_proxy',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'the address is in a list labelled proxy:<google|yahoo|microsoft|apple|other>: that proxy; the label stays human',
    source: 'the operator; Gmail blog (2013), https://gmail.googleblog.com/2013/12/images-now-showing.html',
  },
  {
    id: 'ip_list_provider_click',
    stage: 'hit',
    appliesTo: CLICKS,
    decides:
      "a click from a proxy:google, proxy:yahoo or proxy:microsoft range: security_scanner (these providers send a person's click from the person's own browser; their servers fetch links only to check them)",
    source: 'Microsoft, "Safe Links in Microsoft Defender for Office 365", https://learn.microsoft.com/en-us/defender-office-365/safe-links-about',
  },
  {
    id: 'ip_list_apple_relay',
    stage: 'hit',
    appliesTo: BOTH,
    decides:
      "an apple_mpp-listed address on a click, or on an open by a web browser: human via apple (Apple's relay also carries Safari's traffic; MPP fetches only images and sends no browser user agent)",
    source:
      'Word to the Wise, "Apple MPP reporting and geolocation" (2021), https://wordtothewise.com/2021/09/apple-mpp-reporting-and-geolocation/; Apple, "Prepare your network for iCloud Private Relay", https://developer.apple.com/support/prepare-your-network-for-icloud-private-relay/',
  },
  {
    id: 'method_head',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'a HEAD request: other_machine (browsers and mail clients fetch with GET)',
    source: 'RFC 9110 §9.3.2 HEAD, https://www.rfc-editor.org/rfc/rfc9110#name-head; WHATWG Fetch (navigation requests use GET), https://fetch.spec.whatwg.org/',
  },
  {
    id: 'fast_unrecognised_client',
    stage: 'hit',
    appliesTo: BOTH,
    decides: 'within 10 s of sending, an open without a user agent or a click whose user agent is no browser: other_machine',
    source: 'SparkPost, "Gmail is prefetching images" (2022), https://www.sparkpost.com/blog/gmail-prefetching-images/; SocketLabs, "Identifying Apple MPP opens", https://help.socketlabs.com/docs/identifying-apple-mpp-opens-in-notification-api-events',
  },
  {
    id: 'trap_burst',
    stage: 'context',
    appliesTo: BOTH,
    decides: "clicks within 5 s of a trap click, and the trap clicker's own opens and clicks within 60 s: security_scanner",
    source: 'US patent 12,489,787, "Email bot click detection" (hidden honeypot link), https://patents.google.com/patent/US12489787',
  },
  {
    id: 'link_burst',
    stage: 'context',
    appliesTo: CLICKS,
    decides: 'two different links of one email clicked within 1 s, or within 2 s from two different clients: security_scanner',
    source: 'Microsoft, "Safe Links in Microsoft Defender for Office 365" (links checked at delivery), https://learn.microsoft.com/en-us/defender-office-365/safe-links-about; Mailgun, "Open and click bot detection", https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/open-click-bot-detect',
  },
  {
    id: 'open_click_same_client',
    stage: 'context',
    appliesTo: BOTH,
    decides: 'an open and a click of one email from the same address and user agent within 1 s: both security_scanner',
    source: 'Mailgun, "Open and click bot detection" (scanners open and follow links), https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/open-click-bot-detect',
  },
];

/** A hit this soon after sending, from a client that does not look like a person's, is a machine's. */
export const FAST_HIT_MS = 10_000;

// ---- The user-agent part, memoised: the hot path sees the same few user agents again and again. ----

type Kind = Exclude<HitClassification, 'human'>;

interface UaOutcome {
  /** A machine kind, or 'human' when the rule says a person is behind it (a proxy showing the message). */
  kind: Kind | 'human';
  proxy: HitProxy | null;
}

export interface UserAgentVerdict {
  /** The rule the user agent matched, with its outcome per hit type; null outcome: no decision. */
  rule: RuleId | null;
  opened: UaOutcome | null;
  clicked: UaOutcome | null;
  missing: boolean;
  /** Mozilla/5.0 (platform) with a layout engine: a browser or a mail client's web view. */
  browserLike: boolean;
  /** browserLike with a browser token (Safari/, Chrome/, Firefox/): a web browser, not a mail app. */
  webBrowser: boolean;
}

interface UaRule {
  id: RuleId;
  test: RegExp;
  opened: UaOutcome | null;
  clicked: UaOutcome | null;
}

const machine = (kind: Kind, proxy: HitProxy | null = null): UaOutcome => ({ kind, proxy });
const person = (proxy: HitProxy | null): UaOutcome => ({ kind: 'human', proxy });

/** First match wins, so the specific families come before the generic ones. */
const UA_RULES: readonly UaRule[] = [
  {
    id: 'ua_gmail_prefetch',
    test: /Chrome\/42\.0\.2311\.135 Safari\/537\.36 Edge\/12\.246 Mozilla\/5\.0$/,
    opened: machine('prefetch', 'google'),
    clicked: machine('other_machine', 'google'),
  },
  { id: 'ua_gmail_image_proxy', test: /GoogleImageProxy|via ggpht\.com/i, opened: person('google'), clicked: machine('other_machine', 'google') },
  { id: 'ua_yahoo_mail_proxy', test: /YahooMailProxy/i, opened: person('yahoo'), clicked: machine('security_scanner', 'yahoo') },
  { id: 'ua_bare_mozilla', test: /^Mozilla\/5\.0$/, opened: machine('apple_mpp', 'apple'), clicked: machine('other_machine') },
  {
    id: 'ua_security_scanner',
    test: /Barracuda|Proofpoint|Mimecast|IronPort|Cisco[ -]?Secure ?Email|Google-Safety|Trend ?Micro|\bTMES\b/i,
    opened: machine('security_scanner'),
    clicked: machine('security_scanner'),
  },
  {
    id: 'ua_link_preview',
    test: /Slackbot-LinkExpanding|Slack-ImgProxy|Twitterbot|facebookexternalhit|Facebot|meta-externalagent|WhatsApp\/|TelegramBot|Discordbot|LinkedInBot|SkypeUriPreview|Pinterest(?:bot)?\/|redditbot|Embedly|Iframely|BingPreview|Google-PageRenderer|vkShare|KAKAOTALK-Scrap/i,
    opened: machine('other_machine'),
    clicked: machine('link_preview'),
  },
  {
    id: 'ua_office_discovery',
    test: /Microsoft Office (?:Existence|Protocol) Discovery/i,
    opened: machine('other_machine'),
    clicked: machine('prefetch'),
  },
  { id: 'ua_office_link_check', test: /ms-office|MSOffice|Microsoft Office\//i, opened: null, clicked: machine('prefetch') },
  { id: 'ua_headless_browser', test: /HeadlessChrome|PhantomJS/i, opened: machine('other_machine'), clicked: machine('other_machine') },
  {
    id: 'ua_http_library',
    test: /^(?:curl|Wget|python|aiohttp|Go-http-client|Java\/|Apache-HttpClient|axios|node-fetch|node$|undici|libwww-perl|lwp-|GuzzleHttp|PostmanRuntime|Scrapy|http\.rb|Ruby|HTTPie|Faraday|Jakarta)/i,
    opened: machine('other_machine'),
    clicked: machine('other_machine'),
  },
  { id: 'ua_app_http_client', test: /^okhttp|^Dalvik\/|CFNetwork\//i, opened: null, clicked: machine('other_machine') },
  { id: 'ua_crawler', test: /bot\/|\bbot\b|crawler|spider|\+https?:\/\//i, opened: machine('other_machine'), clicked: machine('other_machine') },
];

const BROWSER_LIKE = /^Mozilla\/5\.0 \([^)]+\).*(?:AppleWebKit\/|Gecko\/|Trident\/)/;
const WEB_BROWSER = /Safari\/|Chrome\/|Firefox\//;

const MISSING: UserAgentVerdict = {
  rule: 'ua_missing',
  opened: null,
  clicked: machine('other_machine'),
  missing: true,
  browserLike: false,
  webBrowser: false,
};

export function userAgentVerdict(userAgent: string | null): UserAgentVerdict {
  const ua = (userAgent ?? '').trim();
  if (ua === '') return MISSING;
  const browserLike = BROWSER_LIKE.test(ua);
  const webBrowser = browserLike && WEB_BROWSER.test(ua);
  for (const r of UA_RULES) {
    if (r.test.test(ua)) return { rule: r.id, opened: r.opened, clicked: r.clicked, missing: false, browserLike, webBrowser };
  }
  return { rule: null, opened: null, clicked: null, missing: false, browserLike, webBrowser };
}

/** Bounded: an address sending ever-new user agents can only cycle the cache, never grow it. */
export const UA_CACHE_MAX = 4_096;
/** Longer user agents are judged afresh each time rather than held in memory. */
const UA_CACHE_KEY_MAX = 512;
const uaCache = new Map<string, UserAgentVerdict>();

export function userAgentVerdictCached(userAgent: string | null): UserAgentVerdict {
  if (userAgent === null) return MISSING;
  let v = uaCache.get(userAgent);
  if (v !== undefined) return v;
  v = userAgentVerdict(userAgent);
  if (userAgent.length <= UA_CACHE_KEY_MAX) {
    if (uaCache.size >= UA_CACHE_MAX) uaCache.delete(uaCache.keys().next().value!);
    uaCache.set(userAgent, v);
  }
  return v;
}

export function userAgentCacheSize(): number {
  return uaCache.size;
}

// ---- IP list labels (the operator's files; the loader is elsewhere, the meaning is here). ----

const MACHINE_LIST_LABELS: ReadonlySet<string> = new Set(['apple_mpp', 'prefetch', 'security_scanner', 'link_preview', 'other_machine']);
const PROXY_LIST_LABELS: ReadonlyMap<string, HitProxy> = new Map([
  ['proxy:google', 'google'],
  ['proxy:yahoo', 'yahoo'],
  ['proxy:microsoft', 'microsoft'],
  ['proxy:apple', 'apple'],
  ['proxy:other', 'other'],
]);
/** Mail providers whose servers fetch images for a person but never follow a link for one. */
const PROVIDER_PROXIES: ReadonlySet<HitProxy> = new Set(['google', 'yahoo', 'microsoft']);

/** A list label's kind for a hit type: link_preview is no open kind, apple_mpp no click kind. */
function listKind(label: string, type: HitType): Kind {
  if (type === 'opened' && label === 'link_preview') return 'other_machine';
  return label as Kind;
}

// ---- The hit. ----

export function classifyHit(facts: HitFacts): HitLabel {
  const { type, ipList: label } = facts;
  const ua = userAgentVerdictCached(facts.userAgent);
  const uaOutcome = type === 'opened' ? ua.opened : ua.clicked;
  const listProxy = label === null ? null : label === 'apple_mpp' ? 'apple' : (PROXY_LIST_LABELS.get(label) ?? null);
  const rules: string[] = [];
  // The first machine rule in this order decides the kind; rules that only name a proxy are kept too.
  let kind: Kind | null = null;
  let rule: RuleId | null = null;

  if (label !== null && PROXY_LIST_LABELS.has(label)) rules.push('ip_list_proxy');
  if (type === 'clicked' && facts.trap) [kind, rule] = ['security_scanner', 'trap_link'];
  if (kind === null && uaOutcome !== null && ua.rule !== null) {
    if (uaOutcome.kind === 'human') rules.push(ua.rule);
    else [kind, rule] = [uaOutcome.kind, ua.rule];
  }
  if (kind === null && label !== null) {
    if (label === 'apple_mpp' && (type === 'clicked' || ua.webBrowser)) rules.push('ip_list_apple_relay');
    else if (MACHINE_LIST_LABELS.has(label)) [kind, rule] = [listKind(label, type), 'ip_list_machine'];
    else if (listProxy === null) [kind, rule] = ['other_machine', 'ip_list_unknown_label'];
    else if (type === 'clicked' && PROVIDER_PROXIES.has(listProxy)) [kind, rule] = ['security_scanner', 'ip_list_provider_click'];
  }
  if (kind === null && facts.method === 'HEAD') [kind, rule] = ['other_machine', 'method_head'];
  if (kind === null && facts.sinceSentMs !== null && facts.sinceSentMs < FAST_HIT_MS && (type === 'opened' ? ua.missing : !ua.browserLike)) {
    [kind, rule] = ['other_machine', 'fast_unrecognised_client'];
  }
  if (rule !== null) rules.push(rule);
  return { classification: kind ?? 'human', proxy: listProxy ?? uaOutcome?.proxy ?? null, rules };
}
