import { TRAP_LINK_INDEX } from '../classification/trap.js';
import { MAX_TOKEN_LENGTH, type Keyring } from '../tokens/index.js';
import { clickSigner, openToken, type ClickSigner } from './click-tokens.js';
import type { TokenScope } from './token-scope.js';
import type { TrackedLink } from './types.js';

/**
 * Mints the tracking URLs of one email: `<base>/v1/track/click/<token>` per link (each with its own
 * index and destination), the trap link's, and `<base>/v1/track/open/<token>` for the pixel. Owns
 * the links list. Every token carries `tokenId`: the email's id, or with scope 'cohort' (aggregate
 * only) its cohort's and not the email's.
 */
export class TrackingUrls {
  readonly links: TrackedLink[] = [];
  private readonly clickPrefix: string;
  private readonly openPrefix: string;
  /** The click prefix escaped for an attribute value (tokens are base64url: nothing to escape). */
  private readonly clickPrefixHtml: string;
  /** Whether a click URL must be quoted to replace an unquoted attribute value. */
  readonly htmlNeedsQuotes: boolean;
  private readonly signClick: ClickSigner;

  constructor(
    base: string,
    private readonly keyring: Keyring,
    private readonly tokenId: string,
    private readonly tokenScope: TokenScope,
    private readonly hostId: number,
  ) {
    this.clickPrefix = `${base}/v1/track/click/`;
    this.openPrefix = `${base}/v1/track/open/`;
    const html = htmlPrefix(this.clickPrefix);
    this.clickPrefixHtml = html.escaped;
    this.htmlNeedsQuotes = html.needsQuotes;
    this.signClick = clickSigner(keyring, tokenId, hostId, tokenScope);
  }

  /**
   * Records a tracked link and returns its tracking URL, or null when the destination is too long
   * for a token that the click route would accept (the link is then left untouched).
   */
  click(destination: string, location: TrackedLink['location'], label = ''): { link: TrackedLink; url: string; htmlUrl: string } | null {
    const index = this.links.length;
    const token = this.signClick(index, destination);
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const link: TrackedLink = { index, destination, label, location };
    this.links.push(link);
    return { link, url: this.clickPrefix + token, htmlUrl: this.clickPrefixHtml + token };
  }

  /**
   * The trap link's URL: signed with TRAP_LINK_INDEX and kept out of `links` (those are the
   * sender's). Null when the token would be too long for the click route.
   */
  trap(destination: string): string | null {
    const token = this.signClick(TRAP_LINK_INDEX, destination);
    return token.length > MAX_TOKEN_LENGTH ? null : this.clickPrefix + token;
  }

  open(): string {
    return this.openPrefix + openToken(this.keyring, this.tokenId, this.hostId, this.tokenScope);
  }
}

/** The last click prefix escaped (the same base URL, email after email). */
let lastPrefix: { prefix: string; escaped: string; needsQuotes: boolean } | null = null;

function htmlPrefix(prefix: string): { escaped: string; needsQuotes: boolean } {
  if (lastPrefix === null || lastPrefix.prefix !== prefix) {
    const escaped = escapeAttribute(prefix);
    lastPrefix = { prefix, escaped, needsQuotes: needsQuotes(escaped) };
  }
  return lastPrefix;
}

/** Escapes a value for a quoted HTML attribute (either quote). */
export function escapeAttribute(value: string): string {
  return /[&<>"']/.test(value)
    ? value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
    : value;
}

/** Whether an escaped value must be quoted to stand as an unquoted attribute value. */
export function needsQuotes(escaped: string): boolean {
  return escaped.length === 0 || /[\s"'=<>`]/.test(escaped);
}
