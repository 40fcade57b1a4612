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
  private readonly fromHtmlCache = new Map<string, string | null>();
  private readonly fromTextCache = new Map<string, string | null>();

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
    if (raw.length <= MAX_CACHED_VALUE_LENGTH) {
      if (cache.size >= MAX_CACHED_DESTINATIONS) cache.clear();
      cache.set(raw, destination);
    }
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
