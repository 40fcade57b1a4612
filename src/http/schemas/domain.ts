import { DNS_RECORD_STATUSES, DOMAIN_STATUSES, type Domain, type DomainRecord, type TrackingHost } from '../../core/model.js';
import type { TargetWarning } from '../../core/domains/targets.js';
import { iso } from './common.js';

const TRAP_LINK_DESCRIPTION =
  'Adds a hidden link that no person sees to every tracked HTML email of the domain: when a security scanner follows it, the clicks of the same burst are labelled security_scanner. Off by default.';
const AGGREGATE_ONLY_DESCRIPTION =
  "Counts the opens and clicks of the domain's emails in aggregate only, unless an email says otherwise: their tokens name no email, and no per-recipient event, counter, IP address, user agent or webhook is kept; the analytics give totals per tag, link and hour, and no unique counts. Off by default.";

const domainProperties = {
  id: { type: 'string' },
  object: { type: 'string', const: 'domain' },
  name: { type: 'string', description: 'lowercase, punycode' },
  status: { type: 'string', enum: [...DOMAIN_STATUSES] },
  sending_status: { type: 'string', enum: [...DNS_RECORD_STATUSES], description: 'DKIM, SPF and the return-path MX together' },
  tracking_status: { type: ['string', 'null'], enum: [...DNS_RECORD_STATUSES, null], description: 'the tracking CNAME (and CAA when required); null without a tracking subdomain' },
  custom_return_path: { type: 'string' },
  open_tracking: { type: 'boolean' },
  click_tracking: { type: 'boolean' },
  trap_link: { type: 'boolean', description: TRAP_LINK_DESCRIPTION },
  aggregate_only: { type: 'boolean', description: AGGREGATE_ONLY_DESCRIPTION },
  tls: { type: 'string', enum: ['opportunistic', 'enforced'] },
  tracking_subdomain: { type: ['string', 'null'] },
  tracking_subdomain_changeable_at: { type: ['string', 'null'], format: 'date-time', description: 'the tracking subdomain changes at most once per 24 h' },
  tracking_host: { type: ['string', 'null'], description: 'the host new emails carry their links and pixel on; null: the default tracking URL' },
  tracking_hosts: {
    type: 'array',
    description: 'every tracking host the domain has had; each keeps serving the links minted on it',
    items: {
      type: 'object',
      required: ['hostname', 'status', 'active', 'serving', 'created_at', 'verified_at'],
      properties: {
        hostname: { type: 'string' },
        status: { type: 'string', enum: ['not_verified', 'pending', 'verified'] },
        active: { type: 'boolean', description: 'new emails use this host' },
        serving: { type: 'boolean', description: 'links minted on it are answered (verified now or before)' },
        created_at: { type: 'string', format: 'date-time' },
        verified_at: { type: ['string', 'null'], format: 'date-time' },
      },
    },
  },
  dkim_selector: { type: 'string' },
  records: {
    type: 'array',
    items: {
      type: 'object',
      required: ['record', 'type', 'name', 'value', 'ttl', 'status', 'informational', 'found', 'problem', 'last_checked_at'],
      properties: {
        record: { type: 'string', enum: ['DKIM', 'SPF', 'MX', 'DMARC', 'Tracking', 'CAA'] },
        type: { type: 'string', enum: ['TXT', 'MX', 'CNAME', 'CAA'] },
        name: { type: 'string' },
        value: { type: 'string' },
        ttl: { type: 'integer' },
        priority: { type: 'integer' },
        status: { type: 'string', enum: [...DNS_RECORD_STATUSES] },
        informational: { type: 'boolean', description: 'a suggestion (DMARC): it counts for neither capability' },
        found: { type: 'array', items: { type: 'string' }, description: 'what the last lookup found at name (CNAME: the chain followed)' },
        problem: {
          type: ['string', 'null'],
          description:
            'why it is not verified: nxdomain, nodata, mismatch, multiple_spf, ca_not_allowed, critical_unknown_tag; or an inconclusive lookup: timeout, servfail, refused, lookup_error',
        },
        last_checked_at: { type: ['string', 'null'], format: 'date-time' },
      },
    },
  },
  warnings: {
    type: 'array',
    description: "problems with this server's DNS targets that keep records from verifying (unreachable_target: a record would point at localhost or an IP address)",
    items: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', enum: ['unreachable_target'] }, message: { type: 'string' } } },
  },
  verification_started_at: { type: ['string', 'null'], format: 'date-time' },
  last_checked_at: { type: ['string', 'null'], format: 'date-time' },
  next_check_at: { type: ['string', 'null'], format: 'date-time' },
  created_at: { type: 'string', format: 'date-time' },
  updated_at: { type: 'string', format: 'date-time' },
} as const;

export const domainSchema = { $id: 'Domain', type: 'object', required: Object.keys(domainProperties), properties: domainProperties } as const;

function recordJson(r: DomainRecord) {
  return {
    record: r.record,
    type: r.type,
    name: r.name,
    value: r.value,
    ttl: r.ttl,
    ...(r.priority !== undefined ? { priority: r.priority } : {}),
    status: r.status,
    informational: r.record === 'DMARC',
    found: r.found,
    problem: r.problem,
    last_checked_at: iso(r.checkedAt),
  };
}

function hostJson(h: TrackingHost, activeHostId: number | null) {
  return {
    hostname: h.hostname,
    status: h.status,
    active: h.id === activeHostId,
    serving: h.verifiedAt !== null,
    created_at: iso(h.createdAt),
    verified_at: iso(h.verifiedAt),
  };
}

export function domainJson(d: Domain, view: { sending: string; tracking: string | null; changeInterval: number; warnings: readonly TargetWarning[] }) {
  const active = d.hosts.find((h) => h.id === d.activeHostId);
  return {
    id: d.id,
    object: 'domain',
    name: d.name,
    status: d.status,
    sending_status: view.sending,
    tracking_status: view.tracking,
    custom_return_path: d.returnPath,
    open_tracking: d.openTracking,
    click_tracking: d.clickTracking,
    trap_link: d.trapLink,
    aggregate_only: d.aggregateOnly,
    tls: d.tls,
    tracking_subdomain: d.trackingSubdomain,
    tracking_subdomain_changeable_at: d.trackingSubdomainSetAt === null ? null : iso(d.trackingSubdomainSetAt + view.changeInterval),
    tracking_host: active?.hostname ?? null,
    tracking_hosts: d.hosts.map((h) => hostJson(h, d.activeHostId)),
    dkim_selector: d.dkimSelector,
    records: d.records.map(recordJson),
    warnings: view.warnings,
    verification_started_at: iso(d.verificationStartedAt),
    last_checked_at: iso(d.lastCheckedAt),
    next_check_at: iso(d.nextCheckAt),
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
  };
}

export const domainSettingsProperties = {
  open_tracking: { type: 'boolean', description: 'track opens of emails from this domain unless the email says otherwise (default false)' },
  click_tracking: { type: 'boolean', description: 'track clicks of emails from this domain unless the email says otherwise (default false)' },
  trap_link: { type: 'boolean', description: TRAP_LINK_DESCRIPTION },
  aggregate_only: { type: 'boolean', description: AGGREGATE_ONLY_DESCRIPTION },
  tls: { type: 'string', enum: ['opportunistic', 'enforced'], description: 'TLS towards receiving servers' },
} as const;
