import type { Keyring } from '../tokens/index.js';
import type { TokenScope } from './token-scope.js';
import type { ClickTracking, InstrumentOptions, PixelPlacement } from './types.js';
import { isUuid } from '../uuid.js';

const CLICK_MODES: readonly ClickTracking[] = [false, 'html', 'text', 'html_and_text'];
const PLACEMENTS: readonly PixelPlacement[] = ['bottom', 'top', 'auto'];

export class InstrumentOptionsError extends TypeError {}

export interface ResolvedOptions {
  open: boolean;
  clickHtml: boolean;
  clickText: boolean;
  /** Tracking base URL: origin and path prefix, no trailing slash. */
  base: string;
  trackingHost: string;
  keyring: Keyring;
  /** 'cohort' in aggregate-only mode; the email id is then in no token (so it is not kept here). */
  tokenScope: TokenScope;
  /** The id signed into every token: the email's, or in aggregate-only mode the cohort's. */
  tokenId: string;
  hostId: number;
  excludedHosts: readonly string[];
  knownTrackingHosts: readonly string[];
  pixel: PixelPlacement;
  trapLink: boolean;
}

/**
 * Checks the options (a bad option is a configuration error and throws InstrumentOptionsError;
 * the html and text inputs, whatever they hold, never make the engine throw).
 */
export function resolveOptions(o: InstrumentOptions): ResolvedOptions {
  if (!CLICK_MODES.includes(o.click)) throw new InstrumentOptionsError(`click must be one of false, "html", "text", "html_and_text"`);
  const pixel = o.pixel ?? 'bottom';
  if (!PLACEMENTS.includes(pixel)) throw new InstrumentOptionsError(`pixel must be "bottom", "top" or "auto"`);
  if (!isUuid(o.emailId)) throw new InstrumentOptionsError(`emailId "${String(o.emailId)}" is not a UUID`);
  const cohortId = o.aggregateCohortId;
  if (cohortId !== undefined && !isUuid(cohortId)) throw new InstrumentOptionsError(`aggregateCohortId "${String(cohortId)}" is not a UUID`);
  const hostId = o.hostId ?? 0;
  if (!Number.isSafeInteger(hostId) || hostId < 0) throw new InstrumentOptionsError('hostId must be a non-negative integer');
  if (!o.keyring) throw new InstrumentOptionsError('keyring is required');
  const { base, trackingHost } = trackingBase(o.trackingUrl);
  return {
    open: o.open === true,
    clickHtml: o.click === 'html' || o.click === 'html_and_text',
    clickText: o.click === 'text' || o.click === 'html_and_text',
    base,
    trackingHost,
    keyring: o.keyring,
    tokenScope: cohortId === undefined ? 'email' : 'cohort',
    tokenId: cohortId ?? o.emailId,
    hostId,
    excludedHosts: o.excludedHosts ?? [],
    knownTrackingHosts: o.knownTrackingHosts ?? [],
    pixel,
    trapLink: o.trapLink === true,
  };
}

/** The last tracking URL parsed (one sender uses one or a few, email after email). */
let lastTrackingUrl: { url: unknown; base: string; trackingHost: string } | null = null;

function trackingBase(trackingUrl: string): { base: string; trackingHost: string } {
  if (lastTrackingUrl !== null && lastTrackingUrl.url === trackingUrl) return lastTrackingUrl;
  let url: URL;
  try {
    url = new URL(trackingUrl);
  } catch {
    throw new InstrumentOptionsError(`trackingUrl "${trackingUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InstrumentOptionsError('trackingUrl must be an http(s) URL');
  const parsed = { url: trackingUrl, base: url.origin + url.pathname.replace(/\/+$/, ''), trackingHost: url.hostname };
  if (typeof trackingUrl === 'string') lastTrackingUrl = parsed;
  return parsed;
}
