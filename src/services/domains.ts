import { type TargetWarning, targetWarnings } from '../core/domains/targets.js';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { isValidReturnPathLabel, isValidSubdomainLabel, parseDomainName } from '../core/domains/domain-name.js';
import { type DnsTargets, trackingHostname } from '../core/domains/records.js';
import { applyCheck, checkQuestions, reconcileRecords } from '../core/domains/check.js';
import { type CheckTiming, domainStatus, isRecordVerified, startVerification } from '../core/domains/status.js';
import type { DnsRecordKind, Domain, DomainTlsMode, Email } from '../core/model.js';
import type { OutgoingMessage } from '../ports/mailer.js';
import { seal, unseal } from '../core/secrets/sealed-box.js';
import type { Keyring } from '../core/tokens/index.js';
import { eventPayload } from '../core/webhooks/payload.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../ports/clock.js';
import type { DnsResolver } from '../ports/dns.js';
import { type DomainRepository, type DomainSaveOptions, type Page, TrackingHostTaken } from '../ports/store.js';
import { askDns } from './domain-checks.js';
import { ServiceError } from '../core/errors.js';
import { DAY_MS, HOUR_MS } from '../core/time.js';
import type { TrackingHostDirectory } from './tracking-hosts.js';

const generateRsa = promisify(generateKeyPair);

/** A tracking subdomain changes at most this often. */
export const SUBDOMAIN_CHANGE_INTERVAL_MS = 24 * HOUR_MS;
/** Deleting a domain whose hosts carried links this recently needs force. */
export const RECENT_LINKS_MS = 90 * 24 * HOUR_MS;
/** A claimed check that does not finish (crashed node) is claimed again after this. */
const CHECK_LEASE_MS = 5 * 60_000;
const DEFAULT_RETURN_PATH = 'send';
const SAVE_ATTEMPTS = 5;

export interface NewDomainInput {
  name: string;
  /** The return-path label (default "send"). */
  returnPath?: string;
  openTracking?: boolean;
  clickTracking?: boolean;
  /** The hidden trap link in tracked HTML (default false). */
  trapLink?: boolean;
  /** Count the opens and clicks of its emails in aggregate only (default false). */
  aggregateOnly?: boolean;
  tls?: DomainTlsMode;
}

/** A change of settings; what is left out stays as it is. */
export interface DomainPatchInput {
  openTracking?: boolean;
  clickTracking?: boolean;
  trapLink?: boolean;
  aggregateOnly?: boolean;
  tls?: DomainTlsMode;
  /** Null (or blank) is refused: a tracking subdomain is never removed. */
  trackingSubdomain?: string | null;
}

/** How an email from a domain is tracked, unless the email says otherwise. */
export interface DomainTracking {
  domainId: string;
  openTracking: boolean;
  clickTracking: boolean;
  trapLink: boolean;
  aggregateOnly: boolean;
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
  domains: DomainRepository;
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
    if (!parsed.ok) throw new ServiceError('validation_failed', `name: ${parsed.reason}`, { field: 'name' });
    const returnPath = input.returnPath ?? DEFAULT_RETURN_PATH;
    if (!isValidReturnPathLabel(returnPath)) {
      throw new ServiceError(
        'validation_failed',
        'custom_return_path: use at most 63 letters, digits and hyphens, starting with a letter and ending with a letter or digit',
        { field: 'custom_return_path' },
      );
    }
    const id = newId();
    const now = this.o.clock.now();
    // The longest name we list: the DKIM selector's (the return path's is shorter or equal to 63 + 1).
    if (`${dkimSelector(now)}._domainkey.${parsed.name}`.length > 253 || `${returnPath}.${parsed.name}`.length > 253) {
      throw new ServiceError('validation_failed', 'name: too long for the DKIM and return-path records under it (253 characters at most)', { field: 'name' });
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
      openTracking: input.openTracking ?? false,
      clickTracking: input.clickTracking ?? false,
      trapLink: input.trapLink ?? false,
      aggregateOnly: input.aggregateOnly ?? false,
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
    const result = await this.o.domains.create(draft);
    if (result.outcome === 'conflict') throw new ServiceError('conflict', `the domain ${parsed.name} already exists`, { field: 'name' });
    return result.domain;
  }

  async get(projectId: string, id: string): Promise<Domain> {
    const domain = await this.o.domains.get(projectId, id);
    if (domain === undefined) throw new ServiceError('not_found', `domain ${id} not found`);
    return domain;
  }

  list(projectId: string, page: Page): Promise<Domain[]> {
    return this.o.domains.list(projectId, page);
  }

  async update(projectId: string, id: string, patch: DomainPatchInput): Promise<Domain> {
    const sub = patch.trackingSubdomain;
    if (sub !== undefined) {
      if (sub === null || sub.trim() === '') {
        throw new ServiceError('validation_failed', 'tracking_subdomain can be changed but never removed: links in mail already sent use it', { field: 'tracking_subdomain' });
      }
      if (!isValidSubdomainLabel(sub)) {
        throw new ServiceError('validation_failed', 'tracking_subdomain must be one DNS label: letters, digits and hyphens, not starting or ending with a hyphen', { field: 'tracking_subdomain' });
      }
    }
    let subdomainChanged = false;
    const saved = await this.mutate(projectId, id, async (d, now) => {
      if (sub !== undefined && sub !== null) checkTrackingHostname(d, sub.toLowerCase());
      const next: Domain = {
        ...d,
        openTracking: patch.openTracking ?? d.openTracking,
        clickTracking: patch.clickTracking ?? d.clickTracking,
        trapLink: patch.trapLink ?? d.trapLink,
        aggregateOnly: patch.aggregateOnly ?? d.aggregateOnly,
        tls: patch.tls ?? d.tls,
        updatedAt: now,
      };
      const label = sub?.toLowerCase();
      if (label === undefined || label === d.trackingSubdomain) return { domain: next };
      if (d.trackingSubdomainSetAt !== null && now - d.trackingSubdomainSetAt < SUBDOMAIN_CHANGE_INTERVAL_MS) {
        const retryAfter = Math.ceil((d.trackingSubdomainSetAt + SUBDOMAIN_CHANGE_INTERVAL_MS - now) / 1000);
        throw new ServiceError('rate_limited', `the tracking subdomain changes at most once per 24 hours; try again in ${retryAfter} s`, { field: 'tracking_subdomain', retryAfter });
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
    return this.mutate(projectId, id, (d, now) => this.checked(d, now, true));
  }

  /** One pass of the background checker: claims due domains and checks each. Returns how many. */
  async checkDue(limit = 20): Promise<number> {
    const now = this.o.clock.now();
    const due = await this.o.domains.claimDue(now, now + CHECK_LEASE_MS, limit);
    const failures: unknown[] = [];
    for (const claimed of due) {
      try {
        await this.mutate(claimed.projectId, claimed.id, (d, at) => this.checked(d, at, false));
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
    const recent = await this.o.domains.countEmailsOnHosts(hostIds, now - RECENT_LINKS_MS);
    const all = await this.o.domains.countEmailsOnHosts(hostIds, 0);
    if (recent > 0 && !force) {
      throw new ServiceError(
        'domain_in_use',
        `${all} emails have tracked links on this domain's tracking hosts (${recent} in the last 90 days); deleting it breaks them. Repeat with ?force=true to delete anyway`,
        { details: { emails_with_broken_links: all } },
      );
    }
    if (!(await this.o.domains.delete(projectId, id, now))) throw new ServiceError('not_found', `domain ${id} not found`);
    await this.o.hosts.refresh();
    return { emailsWithBrokenLinks: all };
  }

  /** The domain of an email's `from` address, if the project has it, and how it tracks. */
  async trackingFor(projectId: string, fromDomain: string): Promise<DomainTracking | null> {
    const parsed = parseDomainName(fromDomain);
    if (!parsed.ok) return null;
    const domain = await this.o.domains.findByName(projectId, parsed.name);
    if (domain === undefined) return null;
    // Only a host whose records are there now: otherwise the default host, whose links always work.
    const active = domain.hosts.find((h) => h.id === domain.activeHostId && h.status === 'verified');
    return {
      domainId: domain.id,
      openTracking: domain.openTracking,
      clickTracking: domain.clickTracking,
      trapLink: domain.trapLink,
      aggregateOnly: domain.aggregateOnly,
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
    const domain = await this.o.domains.get(email.projectId, email.domainId);
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

  /** Asks DNS what a check needs and applies the answers (restarting verification first if asked). */
  private async checked(before: Domain, now: number, restart: boolean): Promise<{ domain: Domain; options: DomainSaveOptions }> {
    const opts = { restart };
    const answers = await askDns(checkQuestions(before, this.o.targets, now, opts), this.o.dns, this.o.targets.trackingCnameTarget);
    const { domain, hostUpdates } = applyCheck(before, answers, now, this.o.targets, this.o.timing, opts);
    return { domain, options: { hostUpdates, message: this.statusMessage(before, domain, now) } };
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
        saved = await this.o.domains.save({ ...domain, version: current.version }, options);
      } catch (err) {
        if (err instanceof TrackingHostTaken) throw new ServiceError('conflict', err.message, { field: 'tracking_subdomain' });
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
    throw new ServiceError('validation_failed', `tracking_subdomain cannot be "${label}": that is the return path, whose SPF and MX records a CNAME cannot sit beside`, { field: 'tracking_subdomain' });
  }
  if (trackingHostname(d.name, label).length > 253) {
    throw new ServiceError('validation_failed', 'tracking_subdomain makes a host name longer than 253 characters', { field: 'tracking_subdomain' });
  }
}

export function dkimPurpose(domainId: string): string {
  return `dkim:${domainId}`;
}

/** Selectors carry the key's creation month, so a later key rotation gets a new one. */
function dkimSelector(now: number): string {
  const d = new Date(now);
  return `wm${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
