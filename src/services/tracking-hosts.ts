import type { TrackingHost } from '../core/model.js';

export interface TrackingHostSource {
  allHosts(): Promise<TrackingHost[]>;
}

/** Rereads the host list at most this often when a valid token meets a host the cache does not know. */
const MIN_REFRESH_MS = 1_000;
/** And at least this often in any case, so other nodes' deletions are seen. */
const MAX_AGE_MS = 30_000;

/** A host serves its tokens once it has been verified, for as long as its domain exists. */
function routable(h: TrackingHost): boolean {
  return h.verifiedAt !== null && h.deletedAt === null;
}

/**
 * Which tokens each Host may serve, cached in memory so the tracking routes need no query per
 * hit. Rules: a domain's tracking host serves only the tokens minted on it; the default tracking
 * host (id 0) answers on every other name, so a changed WAYMARK_TRACKING_URL or a proxy keeps old
 * links working; a deleted domain's hosts serve nothing.
 *
 * Only tokens that already passed their HMAC check get here, so a refresh (one query of a small
 * table, at most once a second) cannot be triggered by forged tokens.
 */
export class TrackingHostDirectory {
  /** The live host of each name, else its latest tombstone. */
  private byName = new Map<string, TrackingHost>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  /** When the last reread started, successful or not: the once-a-second limit holds while the store is down too. */
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;
  private scheduled: Promise<void> | null = null;
  /** Counts refreshes, so only the latest one clears `loading`. */
  private generation = 0;

  /**
   * @param alwaysServed names the TLS check always answers yes for: the default tracking host and the
   *   API's host, which the proxy in front serves too.
   */
  constructor(
    private readonly source: TrackingHostSource,
    private readonly alwaysServed: readonly string[] = [],
  ) {}

  /** Rereads the host list; the read starts after this call (a write just committed is seen). */
  async refresh(): Promise<void> {
    const previous = this.loading;
    const generation = ++this.generation;
    const run = (async () => {
      if (previous) await previous.catch(() => {});
      this.attemptedAt = performance.now();
      try {
        const hosts = await this.source.allHosts();
        const byName = new Map<string, TrackingHost>();
        for (const h of hosts) {
          const seen = byName.get(h.hostname);
          if (seen === undefined || seen.deletedAt !== null) byName.set(h.hostname, h);
        }
        this.byName = byName;
        this.loadedAt = performance.now();
      } finally {
        if (this.generation === generation) this.loading = null;
      }
    })();
    this.loading = run;
    return run;
  }

  /** A reread no sooner than MIN_REFRESH_MS after the last one started; callers meanwhile share it. */
  private rereadSoon(): Promise<void> {
    if (this.loading !== null) return this.loading;
    if (this.scheduled !== null) return this.scheduled;
    const wait = MIN_REFRESH_MS - (performance.now() - this.attemptedAt);
    if (wait <= 0) return this.refresh();
    this.scheduled = new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
      this.scheduled = null;
      return this.reread();
    });
    return this.scheduled;
  }

  /** A reread for readers: joins one already running rather than queueing another. */
  private reread(): Promise<void> {
    return this.loading ?? this.refresh();
  }

  /** Whether a token minted on `hostId` may be served to a request for `requestHost`. */
  allows(hostId: number, requestHost: string | null): boolean | Promise<boolean> {
    const host = requestHost === null ? undefined : this.byName.get(requestHost);
    this.refreshIfOld();
    if (hostId === 0) return host === undefined;
    if (host !== undefined && host.id === hostId) {
      if (routable(host)) return true;
      if (host.deletedAt !== null) return false;
    }
    // Not known here yet (verified on another node a moment ago?): look again, once, no sooner than
    // a second after the last look, so replays of real tokens on the wrong host cannot hammer the store.
    return this.rereadSoon().then(() => {
      const fresh = requestHost === null ? undefined : this.byName.get(requestHost);
      return fresh !== undefined && fresh.id === hostId && routable(fresh);
    });
  }

  /** For on-demand TLS: whether Waymark serves tracking links on this host (verified now or before). */
  async serves(hostname: string): Promise<boolean> {
    if (this.alwaysServed.includes(hostname)) return true;
    const cached = this.byName.get(hostname);
    if (cached !== undefined && routable(cached) && performance.now() - this.loadedAt < MAX_AGE_MS) return true;
    // Names nobody serves are asked about by whoever sends a TLS handshake: reread at most once a second.
    if (this.loading !== null || performance.now() - this.attemptedAt >= MIN_REFRESH_MS) await this.reread();
    const host = this.byName.get(hostname);
    return host !== undefined && routable(host);
  }

  private refreshIfOld(): void {
    if (this.loading === null && performance.now() - this.loadedAt > MAX_AGE_MS) {
      // Errors are retried on the next hit; the cached map keeps serving meanwhile.
      this.reread().catch(() => {});
    }
  }
}

/** The host a request was sent to: the Host header, lowercased, without port or trailing dot. */
export function requestHostname(hostHeader: string | undefined): string | null {
  if (hostHeader === undefined || hostHeader.length === 0) return null;
  let h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? null : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  if (colon !== -1) h = h.slice(0, colon);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.length > 0 ? h : null;
}
