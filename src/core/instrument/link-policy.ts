import { decodeAttributeValue, parseHttpUrl } from './destination.js';
import { HostList, stripTrailingDot } from './hosts.js';
import { hasPlaceholder } from './placeholders.js';

/** Where Waymark's own tracking routes live, under the tracking base URL. */
export const TRACK_PATH = '/v1/track/';

/**
 * Decides which URLs are tracked: absolute http(s) URLs without template placeholders that
 * neither point at a Waymark tracking host already nor at an excluded host.
 */
export class LinkPolicy {
  private readonly trackingHosts: HostList;
  private readonly excluded: HostList;

  constructor(trackingHost: string, knownTrackingHosts: readonly string[], excludedHosts: readonly string[]) {
    this.trackingHosts = new HostList([trackingHost, ...knownTrackingHosts]);
    this.excluded = new HostList(excludedHosts);
  }

  /**
   * The destination to sign for a URL value, or null to leave the value as it is. `fromHtml`:
   * the value comes from an attribute and still holds character references.
   */
  destinationOf(raw: string, fromHtml: boolean): string | null {
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
