import { type TargetWarning, targetWarnings } from '../core/domains/targets.js';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { isValidReturnPathLabel, isValidSubdomainLabel, parseDomainName } from '../core/domains/domain-name.js';
import { type DnsTargets, trackingHostname } from '../core/domains/records.js';
import { type CheckTiming, domainStatus, isRecordVerified, nextCheckAt, startVerification, trackingHostStatus } from '../core/domains/status.js';
import type { DnsRecordKind, Domain, DomainTlsMode, Email, TrackingHost } from '../core/model.js';
import type { OutgoingMessage } from '../ports/mailer.js';
import { seal, unseal } from '../core/secrets/sealed-box.js';
import type { Keyring } from '../core/tokens/index.js';
import { eventPayload } from '../core/webhooks/payload.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';
import { type DomainSaveOptions, type Page, type Store, TrackingHostTaken } from '../ports/store.js';
import { checkRecords, followCname, reconcileRecords } from './domain-checks.js';
import { ServiceError } from './service-errors.js';
import type { TrackingHostDirectory } from './tracking-hosts.js';

const generateRsa = promisify(generateKeyPair);

const HOUR = 3_600_000;
/** A tracking subdomain changes at most this often. */
export const SUBDOMAIN_CHANGE_INTERVAL_MS = 24 * HOUR;
/** Deleting a domain whose hosts carried links this recently needs force. */
export const RECENT_LINKS_MS = 90 * 24 * HOUR;
/** A claimed check that does not finish (crashed node) is claimed again after this. */
const CHECK_LEASE_MS = 5 * 60_000;
const DEFAULT_RETURN_PATH = 'send';
const SAVE_ATTEMPTS = 5;

export interface NewDomainInput {
  name: string;
  custom_return_path?: string;
  open_tracking?: boolean;
  click_tracking?: boolean;
  tls?: DomainTlsMode;
}

export interface DomainPatchInput {
  open_tracking?: boolean;
  click_tracking?: boolean;
  tls?: DomainTlsMode;
  tracking_subdomain?: string | null;
}

/** How an email from a domain is tracked, unless the email says otherwise. */
export interface DomainTracking {
  domainId: string;
  openTracking: boolean;
  clickTracking: boolean;
  /** The verified tracking host's base URL (https), or null for the default tracking URL. */
  trackingUrl: string | null;
  hostId: number;
  /** Every hostname of the domain's tracking hosts, so links already on them are left alone. */
  hostnames: string[];
}

export interface DeleteResult {
  /** Emails whose tracked links and pixel stop working (they were minted on the domain's hosts). */
  emailsWithBrokenLinks: number;
}

export interface DomainServiceOptions {
  store: Store;
  dns: DnsResolver;
  clock: Clock;
  keyring: Keyring;
  targets: DnsTargets;
  timing: CheckTiming;
  hosts: TrackingHostDirectory;
  /** A domain.updated webhook was queued. */
  onWebhookQueued?: () => void;
  /** A domain is due for a check (a tracking subdomain was set). */
  onCheckDue?: () => void;
}

/** Sending domains, their DNS records and checks, and the tracking-host rules. */
export class DomainService {
  /** What is wrong with the records every domain is told to add (the operator's settings). */
  readonly targetWarnings: TargetWarning[];

  constructor(private readonly o: DomainServiceOptions) {
    this.targetWarnings = targetWarnings(o.targets);
  }

  async create(projectId: string, input: NewDomainInput): Promise<Domain> {
    const parsed = parseDomainName(input.name);
    if (!parsed.ok) throw new ServiceError('validation_failed', `name: ${parsed.reason}`, 'name');
    const returnPath = input.custom_return_path ?? DEFAULT_RETURN_PATH;
    if (!isValidReturnPathLabel(returnPath)) {
      throw new ServiceError(
        'validation_failed',
        'custom_return_path: use at most 63 letters, digits and hyphens, starting with a letter and ending with a letter or digit',
        'custom_return_path',
      );
    }
    const id = newId();
    const now = this.o.clock.now();
    // The longest name we list: the DKIM selector's (the return path's is shorter or equal to 63 + 1).
    if (`${dkimSelector(now)}._domainkey.${parsed.name}`.length > 253 || `${returnPath}.${parsed.name}`.length > 253) {
      throw new ServiceError('validation_failed', 'name: too long for the DKIM and return-path records under it (253 characters at most)', 'name');
    }
    const { publicKey, privateKey } = await generateRsa('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const draft: Domain = {
      id,
      projectId,
      name: parsed.name,
      returnPath: returnPath.toLowerCase(),
      openTracking: input.open_tracking ?? false,
      clickTracking: input.click_tracking ?? false,
      tls: input.tls ?? 'opportunistic',
      dkimSelector: dkimSelector(now),
      dkimPublicKey: publicKey.toString('base64'),
      dkimPrivateKeySealed: seal(this.o.keyring, dkimPurpose(id), privateKey),
      trackingSubdomain: null,
      trackingSubdomainSetAt: null,
      activeHostId: null,
      status: 'not_started',
      records: [],
      verificationStartedAt: null,
      lastCheckedAt: null,
      nextCheckAt: null,
      version: 0,
      createdAt: now,
      updatedAt: now,
      hosts: [],
    };
    draft.records = reconcileRecords(draft, this.o.targets, now);
    const result = await this.o.store.domains.create(draft);
    if (result.outcome === 'conflict') throw new ServiceError('conflict', `the domain ${parsed.name} already exists`, 'name');
    return result.domain;
  }

  async get(projectId: string, id: string): Promise<Domain> {
    const domain = await this.o.store.domains.get(projectId, id);
    if (domain === undefined) throw new ServiceError('not_found', `domain ${id} not found`);
    return domain;
  }

  list(projectId: string, page: Page): Promise<Domain[]> {
    return this.o.store.domains.list(projectId, page);
  }

  async update(projectId: string, id: string, patch: DomainPatchInput): Promise<Domain> {
    const sub = patch.tracking_subdomain;
    if (sub !== undefined) {
      if (sub === null || sub.trim() === '') {
        throw new ServiceError('validation_failed', 'tracking_subdomain can be changed but never removed: links in mail already sent use it', 'tracking_subdomain');
      }
      if (!isValidSubdomainLabel(sub)) {
        throw new ServiceError('validation_failed', 'tracking_subdomain must be one DNS label: letters, digits and hyphens, not starting or ending with a hyphen', 'tracking_subdomain');
      }
    }
    let subdomainChanged = false;
    const saved = await this.mutate(projectId, id, async (d, now) => {
      if (sub !== undefined && sub !== null) checkTrackingHostname(d, sub.toLowerCase());
      const next: Domain = {
        ...d,
        openTracking: patch.open_tracking ?? d.openTracking,
        clickTracking: patch.click_tracking ?? d.clickTracking,
        tls: patch.tls ?? d.tls,
        updatedAt: now,
      };
      const label = sub?.toLowerCase();
      if (label === undefined || label === d.trackingSubdomain) return { domain: next };
      if (d.trackingSubdomainSetAt !== null && now - d.trackingSubdomainSetAt < SUBDOMAIN_CHANGE_INTERVAL_MS) {
        const retryAfter = Math.ceil((d.trackingSubdomainSetAt + SUBDOMAIN_CHANGE_INTERVAL_MS - now) / 1000);
        throw new ServiceError('rate_limited', `the tracking subdomain changes at most once per 24 hours; try again in ${retryAfter} s`, 'tracking_subdomain', { retryAfter });
      }
      subdomainChanged = true;
      // Setting a tracking subdomain starts verification: of the new host, and of the rest if not started yet.
      next.trackingSubdomain = label;
      next.trackingSubdomainSetAt = now;
      next.verificationStartedAt = d.verificationStartedAt ?? now;
      next.records = reconcileRecords({ ...next, records: d.records.filter((r) => r.record !== 'Tracking' && r.record !== 'CAA') }, this.o.targets, now).map(
        (r) => startVerification(r, now),
      );
      next.status = domainStatus(next.records);
      next.nextCheckAt = now;
      const hostname = trackingHostname(d.name, label);
      const reused = d.hosts.find((h) => h.hostname === hostname);
      const options: DomainSaveOptions = reused
        ? { hostUpdates: [{ id: reused.id, status: 'pending', verifiedAt: reused.verifiedAt }] }
        : { newHost: { hostname, status: 'pending', createdAt: now } };
      return { domain: next, options: { ...options, message: this.statusMessage(d, next, now) } };
    });
    if (subdomainChanged) this.o.onCheckDue?.();
    return saved;
  }

  /** Starts (or restarts) verification and checks the records now. */
  async verify(projectId: string, id: string): Promise<Domain> {
    return this.mutate(projectId, id, async (d, now) => {
      const started: Domain = {
        ...d,
        verificationStartedAt: d.verificationStartedAt ?? now,
        records: reconcileRecords({ ...d, verificationStartedAt: d.verificationStartedAt ?? now }, this.o.targets, now).map((r) => startVerification(r, now)),
      };
      return this.checked(d, started, now);
    });
  }

  /** One pass of the background checker: claims due domains and checks each. Returns how many. */
  async checkDue(limit = 20): Promise<number> {
    const now = this.o.clock.now();
    const due = await this.o.store.domains.claimDue(now, now + CHECK_LEASE_MS, limit);
    const failures: unknown[] = [];
    for (const claimed of due) {
      try {
        await this.mutate(claimed.projectId, claimed.id, async (d, at) => this.checked(d, { ...d, records: reconcileRecords(d, this.o.targets, at) }, at));
      } catch (err) {
        // Deleted since it was claimed: nothing to check. Anything else waits for the lease to lapse.
        if (!(err instanceof ServiceError && err.code === 'not_found')) failures.push(err);
      }
    }
    // One domain's failure does not stop the others; the job logs it.
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${due.length} domain checks failed`);
    return due.length;
  }

  async remove(projectId: string, id: string, force: boolean): Promise<DeleteResult> {
    const domain = await this.get(projectId, id);
    const hostIds = domain.hosts.map((h) => h.id);
    const now = this.o.clock.now();
    const recent = await this.o.store.domains.countEmailsOnHosts(hostIds, now - RECENT_LINKS_MS);
    const all = await this.o.store.domains.countEmailsOnHosts(hostIds, 0);
    if (recent > 0 && !force) {
      throw new ServiceError(
        'domain_in_use',
        `${all} emails have tracked links on this domain's tracking hosts (${recent} in the last 90 days); deleting it breaks them. Repeat with ?force=true to delete anyway`,
        undefined,
        { details: { emails_with_broken_links: all } },
      );
    }
    if (!(await this.o.store.domains.delete(projectId, id, now))) throw new ServiceError('not_found', `domain ${id} not found`);
    await this.o.hosts.refresh();
    return { emailsWithBrokenLinks: all };
  }

  /** The domain of an email's `from` address, if the project has it, and how it tracks. */
  async trackingFor(projectId: string, fromDomain: string): Promise<DomainTracking | null> {
    const parsed = parseDomainName(fromDomain);
    if (!parsed.ok) return null;
    const domain = await this.o.store.domains.findByName(projectId, parsed.name);
    if (domain === undefined) return null;
    // Only a host whose records are there now: otherwise the default host, whose links always work.
    const active = domain.hosts.find((h) => h.id === domain.activeHostId && h.status === 'verified');
    return {
      domainId: domain.id,
      openTracking: domain.openTracking,
      clickTracking: domain.clickTracking,
      trackingUrl: active ? `https://${active.hostname}` : null,
      hostId: active?.id ?? 0,
      hostnames: domain.hosts.map((h) => h.hostname),
    };
  }

  /**
   * How mail from an email's domain is signed and enveloped: DKIM with the domain's key once the
   * DKIM record is verified, MAIL FROM on the return path once SPF and MX there are. Nothing
   * for an email without a domain, so unverified DNS never makes mail fail authentication.
   */
  async sendingIdentity(email: Email): Promise<Pick<OutgoingMessage, 'dkim' | 'envelopeFrom'>> {
    if (email.domainId === null) return {};
    const domain = await this.o.store.domains.get(email.projectId, email.domainId);
    if (domain === undefined) return {};
    const verified = (kind: DnsRecordKind) => isRecordVerified(domain.records, kind);
    const identity: Pick<OutgoingMessage, 'dkim' | 'envelopeFrom'> = {};
    if (verified('DKIM')) {
      identity.dkim = { domainName: domain.name, keySelector: domain.dkimSelector, privateKey: unseal(this.o.keyring, dkimPurpose(domain.id), domain.dkimPrivateKeySealed) };
    }
    // VERP-style: the bounce names the email it is about.
    if (verified('SPF') && verified('MX')) identity.envelopeFrom = `bounce+${email.id}@${domain.returnPath}.${domain.name}`;
    return identity;
  }

  /** Checks `next`'s records and derives its status, hosts and schedule. */
  private async checked(before: Domain, next: Domain, now: number): Promise<{ domain: Domain; options: DomainSaveOptions }> {
    const records = await checkRecords(next, next.records, this.o.dns, this.o.targets, now, this.o.timing);
    const result: Domain = {
      ...next,
      records,
      status: domainStatus(records),
      lastCheckedAt: now,
      nextCheckAt: nextCheckAt(records, now, this.o.timing),
      updatedAt: now,
    };
    const hostUpdates: Array<{ id: number; status: TrackingHost['status']; verifiedAt: number | null }> = [];
    const update = (host: TrackingHost, status: TrackingHost['status'], verifiedAt: number | null) => {
      if (status !== host.status || verifiedAt !== host.verifiedAt) hostUpdates.push({ id: host.id, status, verifiedAt });
    };
    const current = currentHost(result);
    if (current !== undefined) {
      // The CNAME target is the same for every domain, so it proves nothing about who controls the
      // name; the DKIM key is this domain's own. A host serves only once both are published.
      const tracking = trackingHostStatus(records);
      const status = tracking === 'verified' && !isRecordVerified(records, 'DKIM') ? 'pending' : tracking;
      update(current, status, current.verifiedAt ?? (status === 'verified' ? now : null));
      // From the moment the new host is verified, new emails use it.
      if (status === 'verified') result.activeHostId = current.id;
    }
    // A previous host still carrying new mail is checked too: new mail goes only to a host that answers now.
    const active = result.hosts.find((h) => h.id === result.activeHostId);
    if (active !== undefined && active.id !== current?.id) {
      const outcome = await followCname(active.hostname, this.o.dns, this.o.targets.trackingCnameTarget);
      if (outcome.kind !== 'inconclusive') update(active, outcome.kind === 'found' ? 'verified' : 'not_verified', active.verifiedAt);
    }
    return { domain: result, options: { hostUpdates, message: this.statusMessage(before, result, now) } };
  }

  private statusMessage(before: Domain, after: Domain, now: number): DomainSaveOptions['message'] {
    if (before.status === after.status) return undefined;
    const data = {
      domain_id: after.id,
      name: after.name,
      status: after.status,
      previous_status: before.status,
      records: after.records.map((r) => ({ record: r.record, name: r.name, status: r.status, problem: r.problem })),
    };
    return { projectId: after.projectId, messageId: newId(), eventType: 'domain.updated', payload: eventPayload('domain.updated', now, data), createdAt: now };
  }

  private async mutate(
    projectId: string,
    id: string,
    change: (d: Domain, now: number) => Promise<{ domain: Domain; options?: DomainSaveOptions }>,
  ): Promise<Domain> {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const current = await this.get(projectId, id);
      const { domain, options } = await change(current, this.o.clock.now());
      let saved: Domain | undefined;
      try {
        saved = await this.o.store.domains.save({ ...domain, version: current.version }, options);
      } catch (err) {
        if (err instanceof TrackingHostTaken) throw new ServiceError('conflict', err.message, 'tracking_subdomain');
        throw err;
      }
      if (saved === undefined) continue;
      if (options?.message !== undefined) this.o.onWebhookQueued?.();
      if (options?.newHost !== undefined || (options?.hostUpdates?.length ?? 0) > 0) await this.o.hosts.refresh();
      return saved;
    }
    throw new Error(`domain ${id} kept changing under ${SAVE_ATTEMPTS} attempts to save it`);
  }
}

/** A tracking host must be a name of its own: a CNAME cannot share a name with the return path's records. */
function checkTrackingHostname(d: Domain, label: string): void {
  if (label === d.returnPath) {
    throw new ServiceError('validation_failed', `tracking_subdomain cannot be "${label}": that is the return path, whose SPF and MX records a CNAME cannot sit beside`, 'tracking_subdomain');
  }
  if (trackingHostname(d.name, label).length > 253) {
    throw new ServiceError('validation_failed', 'tracking_subdomain makes a host name longer than 253 characters', 'tracking_subdomain');
  }
}

/** The host of the current tracking subdomain. */
export function currentHost(domain: Domain): TrackingHost | undefined {
  if (domain.trackingSubdomain === null) return undefined;
  const hostname = trackingHostname(domain.name, domain.trackingSubdomain);
  return domain.hosts.find((h) => h.hostname === hostname);
}

export function dkimPurpose(domainId: string): string {
  return `dkim:${domainId}`;
}

/** Selectors carry the key's creation month, so a later key rotation gets a new one. */
function dkimSelector(now: number): string {
  const d = new Date(now);
  return `wm${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
