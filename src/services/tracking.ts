import { type IpMode, applyIpMode } from '../core/ip-privacy.js';
import { type Keyring, decodeToken } from '../core/tokens/index.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../ports/clock.js';
import type { HitRecorder } from './hit-recorder.js';
import type { TrackingHostDirectory } from './tracking-hosts.js';

export interface HitContext {
  /** The host the request was sent to (see requestHostname): a token is served only on its own host. */
  host: string | null;
  ip: string | null;
  userAgent: string | null;
  referer: string | null;
}

export interface TrackingLogger {
  error(obj: object, msg: string): void;
}

const MAX_USER_AGENT = 1024;
const MAX_REFERER = 2048;

/**
 * The two tracking use cases. Tokens are verified from their signature alone, so a forged token
 * never reaches the store.
 */
export class TrackingService {
  constructor(
    private readonly keyring: Keyring,
    private readonly recorder: HitRecorder,
    private readonly clock: Clock,
    private readonly log: TrackingLogger,
    private readonly hosts: TrackingHostDirectory,
    private readonly ipMode: IpMode = 'full',
  ) {}

  /**
   * Records an open for a valid token; settles once the hit is durable. Never rejects: the pixel is
   * served whatever happens. Null when there is nothing to record (bad token, HEAD, wrong host).
   *
   * Nothing is awaited on the common path (a known host): each await is a microtask per hit.
   */
  open(token: string, context: HitContext, record: boolean): Promise<void> | null {
    const decoded = decodeToken(this.keyring, token);
    if (!decoded || decoded.kind !== 'open' || !record) return null;
    const hit = { emailId: decoded.emailId, type: 'opened' as const, linkIndex: null, url: null };
    const served = this.servedHere(decoded.hostId, context.host);
    if (served === true) return this.recordHit(hit, context);
    if (served === false) return null;
    return served.then((ok) => (ok ? this.recordHit(hit, context) : undefined));
  }

  /**
   * The destination for a valid click token, once the click is recorded (when `record`), or null
   * for a bad token or a token not served on this host.
   */
  click(token: string, context: HitContext, record: boolean): Promise<string | null> | string | null {
    const decoded = decodeToken(this.keyring, token);
    if (!decoded || decoded.kind !== 'click') return null;
    const destination = decoded.destination;
    const recorded = (): Promise<string> | string => {
      if (!record) return destination;
      const hit = { emailId: decoded.emailId, type: 'clicked' as const, linkIndex: decoded.linkIndex, url: destination };
      return this.recordHit(hit, context).then(() => destination);
    };
    const served = this.servedHere(decoded.hostId, context.host);
    if (served === true) return recorded();
    if (served === false) return null;
    return served.then((ok) => (ok ? recorded() : null));
  }

  /** A token replayed on another host, or on a deleted domain's host, is not served there. */
  private servedHere(hostId: number, host: string | null): boolean | Promise<boolean> {
    try {
      const allowed = this.hosts.allows(hostId, host);
      return typeof allowed === 'boolean' ? allowed : allowed.catch((err: unknown) => this.servedUnchecked(err, hostId));
    } catch (err) {
      return this.servedUnchecked(err, hostId);
    }
  }

  /**
   * The host list could not be read (store down): a sent link must keep working, and its
   * destination is signed, so serve it rather than check its host.
   */
  private servedUnchecked(err: unknown, hostId: number): true {
    this.log.error({ err, hostId }, 'tracking hosts not readable; serving the token unchecked');
    return true;
  }

  private recordHit(
    what: { emailId: string; type: 'opened' | 'clicked'; linkIndex: number | null; url: string | null },
    context: HitContext,
  ): Promise<void> {
    const hit = {
      id: newId(),
      ...what,
      createdAt: this.clock.now(),
      ip: applyIpMode(context.ip, this.ipMode),
      userAgent: context.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
      referer: context.referer?.slice(0, MAX_REFERER) ?? null,
    };
    return this.recorder.record(hit).catch((err: unknown) => {
      // A sent link must keep working even when the store is down; the hit goes to the log.
      this.log.error({ err, hit }, 'tracking hit not recorded');
    });
  }
}
