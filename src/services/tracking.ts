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

  /** Records an open for a valid token. Never throws: the pixel is served whatever happens. */
  async open(token: string, context: HitContext, record: boolean): Promise<void> {
    const decoded = decodeToken(this.keyring, token);
    if (!decoded || decoded.kind !== 'open' || !record) return;
    if (!(await this.servedHere(decoded.hostId, context.host))) return;
    await this.recordHit({ emailId: decoded.emailId, type: 'opened', linkIndex: null, url: null }, context);
  }

  /** The destination for a valid click token (recording the click first), or null for a bad token. */
  async click(token: string, context: HitContext, record: boolean): Promise<string | null> {
    const decoded = decodeToken(this.keyring, token);
    if (!decoded || decoded.kind !== 'click') return null;
    if (!(await this.servedHere(decoded.hostId, context.host))) return null;
    if (record) {
      await this.recordHit(
        { emailId: decoded.emailId, type: 'clicked', linkIndex: decoded.linkIndex, url: decoded.destination },
        context,
      );
    }
    return decoded.destination;
  }

  /** A token replayed on another host, or on a deleted domain's host, is not served there. */
  private async servedHere(hostId: number, host: string | null): Promise<boolean> {
    try {
      return await this.hosts.allows(hostId, host);
    } catch (err) {
      // The host list could not be read (store down): a sent link must keep working, and its
      // destination is signed, so serve it rather than check its host.
      this.log.error({ err, hostId }, 'tracking hosts not readable; serving the token unchecked');
      return true;
    }
  }

  private async recordHit(
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
    try {
      await this.recorder.record(hit);
    } catch (err) {
      // A sent link must keep working even when the store is down; the hit goes to the log.
      this.log.error({ err, hit }, 'tracking hit not recorded');
    }
  }
}
