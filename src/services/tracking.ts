import { type IpMode, applyIpMode } from '../core/ip-privacy.js';
import { type Keyring, decodeToken } from '../core/tokens/index.js';
import type { TrackingHit } from '../core/model.js';
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
  /** HEAD is answered like GET and recorded as a machine's hit. */
  method: 'GET' | 'HEAD';
}

/** The operator's machine IP lists (see adapters/ip-lists): the label of the list an address is in. */
export interface MachineIpLists {
  match(ip: string): string | null;
}

export interface TrackingLogger {
  error(obj: object, msg: string): void;
}

const MAX_USER_AGENT = 1024;

/** What a token says to record: an email's hit, or an aggregate-only hit of a cohort (`emailId` is then the cohort id). */
type RecordedHit = Pick<TrackingHit, 'emailId' | 'type' | 'linkIndex' | 'url' | 'aggregate'>;
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
    private readonly machineIps: MachineIpLists | null = null,
  ) {}

  /**
   * Records an open for a valid token; settles once the hit is durable. Never rejects: the pixel is
   * served whatever happens. Null when there is nothing to record (bad token, wrong host).
   *
   * Nothing is awaited on the common path (a known host): each await is a microtask per hit.
   */
  open(token: string, context: HitContext): Promise<void> | null {
    const decoded = decodeToken(this.keyring, token);
    if (!decoded) return null;
    let hit: RecordedHit;
    if (decoded.kind === 'open') hit = { emailId: decoded.emailId, type: 'opened', linkIndex: null, url: null };
    else if (decoded.kind === 'aggregate_open') hit = { emailId: decoded.cohortId, type: 'opened', linkIndex: null, url: null, aggregate: true };
    else return null;
    const served = this.servedHere(decoded.hostId, context.host);
    if (served === true) return this.recordHit(hit, context);
    if (served === false) return null;
    return served.then((ok) => (ok ? this.recordHit(hit, context) : undefined));
  }

  /**
   * The destination for a valid click token, once the click is recorded, or null for a bad token
   * or a token not served on this host.
   */
  click(token: string, context: HitContext): Promise<string | null> | string | null {
    const decoded = decodeToken(this.keyring, token);
    if (!decoded || (decoded.kind !== 'click' && decoded.kind !== 'aggregate_click')) return null;
    const destination = decoded.destination;
    const hit: RecordedHit =
      decoded.kind === 'click'
        ? { emailId: decoded.emailId, type: 'clicked', linkIndex: decoded.linkIndex, url: destination }
        : { emailId: decoded.cohortId, type: 'clicked', linkIndex: decoded.linkIndex, url: destination, aggregate: true };
    const recorded = (): Promise<string> => this.recordHit(hit, context).then(() => destination);
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

  private recordHit(what: RecordedHit, context: HitContext): Promise<void> {
    // An aggregate-only hit keeps no address, user agent or referer: its labels are worked out
    // from them when it is counted, and then they are gone.
    const hit = {
      id: newId(),
      ...what,
      createdAt: this.clock.now(),
      ip: what.aggregate === true ? null : applyIpMode(context.ip, this.ipMode),
      userAgent: context.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
      referer: what.aggregate === true ? null : (context.referer?.slice(0, MAX_REFERER) ?? null),
      method: context.method,
      // Matched on the full address, before anonymisation drops the part that tells.
      ipList: context.ip !== null && this.machineIps !== null ? this.machineIps.match(context.ip) : null,
    };
    return this.recorder.record(hit).catch((err: unknown) => {
      // A sent link must keep working even when the store is down; the hit goes to the log, but
      // never what an aggregate-only hit must not keep about its recipient.
      const logged = hit.aggregate === true ? { id: hit.id, emailId: hit.emailId, type: hit.type, aggregate: true } : hit;
      this.log.error({ err, hit: logged }, 'tracking hit not recorded');
    });
  }
}
