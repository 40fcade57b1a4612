import { decodeAttributeValue, parseHttpUrl } from './destination.js';
import { HostList, stripTrailingDot } from './hosts.js';
import { hasPlaceholder } from './placeholders.js';

/** Where Waymark's own tracking routes live, under the tracking base URL. */
export const TRACK_PATH = '/v1/track/';

/** Destinations remembered per policy (a campaign sends the same hrefs over and over), and policies remembered. */
const MAX_CACHED_DESTINATIONS = 1024;
const MAX_CACHED_VALUE_LENGTH = 2048;
const MAX_CACHED_POLICIES = 16;
const policies = new Map<string, LinkPolicy>();

/**
 * Decides which URLs are tracked: absolute http(s) URLs without template placeholders that
 * neither point at a Waymark tracking host already nor at an excluded host.
 */
export class LinkPolicy {
  private readonly trackingHosts: HostList;
  private readonly excluded: HostList;
  /** destinationOf's answers, by raw value: from HTML attributes, and from text. */
  private readonly fromHtmlCache = new DestinationCache();
  private readonly fromTextCache = new DestinationCache();

  /**
   * The policy for these hosts, shared by the calls that use the same ones, so that its cache of
   * destinations serves them all. Policies are immutable: sharing one changes no answer.
   */
  static for(trackingHost: string, knownTrackingHosts: readonly string[], excludedHosts: readonly string[]): LinkPolicy {
    const key = JSON.stringify([trackingHost, knownTrackingHosts, excludedHosts]);
    let policy = policies.get(key);
    if (policy === undefined) {
      if (policies.size >= MAX_CACHED_POLICIES) policies.clear();
      policy = new LinkPolicy(trackingHost, knownTrackingHosts, excludedHosts);
      policies.set(key, policy);
    }
    return policy;
  }

  constructor(
    trackingHost: string,
    knownTrackingHosts: readonly string[],
    excludedHosts: readonly string[],
    /** false: every answer is worked out afresh (the reference path of the tests). */
    private readonly cached = true,
  ) {
    this.trackingHosts = new HostList([trackingHost, ...knownTrackingHosts]);
    this.excluded = new HostList(excludedHosts);
  }

  /**
   * The destination to sign for a URL value, or null to leave the value as it is. `fromHtml`:
   * the value comes from an attribute and still holds character references.
   */
  destinationOf(raw: string, fromHtml: boolean): string | null {
    if (!this.cached) return this.destinationOfUncached(raw, fromHtml);
    const cache = fromHtml ? this.fromHtmlCache : this.fromTextCache;
    const cached = cache.get(raw);
    if (cached !== undefined) return cached;
    const destination = this.destinationOfUncached(raw, fromHtml);
    if (raw.length <= MAX_CACHED_VALUE_LENGTH) cache.set(detached(raw), destination);
    return destination;
  }

  /** destinationOf without the cache (for tests). */
  destinationOfUncached(raw: string, fromHtml: boolean): string | null {
    const value = fromHtml ? decodeAttributeValue(raw) : raw;
    const url = parseHttpUrl(value);
    if (url === null) return null;
    // The decoded value is enough: decoding only turns `&…;` into characters and every placeholder
    // mark is made of others, so a mark in the raw value is still in the decoded one.
    if (hasPlaceholder(value)) return null;
    if (this.isTrackingUrl(url, TRACK_PATH)) return null;
    if (this.excluded.has(url.hostname)) return null;
    return url.href;
  }

  /** Whether a decoded `src` value is a Waymark open-tracking (pixel) URL. */
  isOpenPixelUrl(decodedSrc: string): boolean {
    if (decodedSrc.indexOf('/v1/track/open/') === -1) return false;
    const url = parseHttpUrl(decodedSrc);
    return url !== null && this.isTrackingUrl(url, `${TRACK_PATH}open/`);
  }

  private isTrackingUrl(url: URL, pathPart: string): boolean {
    return this.trackingHosts.has(stripTrailingDot(url.hostname)) && url.pathname.includes(pathPart);
  }
}

interface CacheEntry {
  readonly raw: string;
  readonly destination: string | null;
  readonly next: CacheEntry | undefined;
}

/** Values whose sampled hash is the same, remembered at most: beyond that they are not cached. */
const MAX_CHAIN = 8;

/**
 * Raw values and their answers (MAX_CACHED_DESTINATIONS of them, then it starts afresh). A
 * Map<string, …> hashes the whole value on every lookup, about 250 ns for a 150-character href
 * (each email's hrefs are new strings, sliced from it, with no hash yet); this keys by a hash of
 * the length and at most 16 of the characters, and compares the value in full.
 */
class DestinationCache {
  private readonly byHash = new Map<number, CacheEntry>();
  private size = 0;

  get(raw: string): string | null | undefined {
    for (let e = this.byHash.get(sampledHash(raw)); e !== undefined; e = e.next) {
      if (e.raw === raw) return e.destination;
    }
    return undefined;
  }

  /** Remembers the answer for a value not cached yet. */
  set(raw: string, destination: string | null): void {
    if (this.size >= MAX_CACHED_DESTINATIONS) {
      this.byHash.clear();
      this.size = 0;
    }
    const hash = sampledHash(raw);
    const next = this.byHash.get(hash);
    let chain = 0;
    for (let e = next; e !== undefined; e = e.next) if (++chain >= MAX_CHAIN) return; // many values alike: lookups stay short
    this.byHash.set(hash, { raw, destination, next });
    this.size++;
  }
}

/**
 * A copy of `s` that does not keep alive the string it was sliced from. Raw values are slices of an
 * email's HTML, and V8 keeps a slice's parent: cached as they are, each would hold a whole message
 * in memory for as long as the cache lives. Concatenating and slicing again makes V8 flatten the
 * value into a string of its own (once per value cached, beside the URL parse a miss costs anyway).
 */
function detached(s: string): string {
  return (' ' + s).slice(1);
}

/** A hash of the length and of at most 16 characters spread over the value, from its end (where hrefs differ most). */
function sampledHash(s: string): number {
  const n = s.length;
  const step = (n >> 4) + 1;
  let h = n;
  for (let i = n - 1; i >= 0; i -= step) h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
  return h & 0x3fffffff; // a small integer, stored unboxed
}
