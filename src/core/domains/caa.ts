import type { CaaRecord, DnsAnswer, DnsFailure } from '../dns.js';

/**
 * CAA (RFC 8659): which certificate authorities a domain's DNS lets issue for a host. Waymark
 * needs a certificate for each customer's tracking host, so before asking the CA it tells the
 * customer whether their CAA records would make the CA refuse, and what to add.
 */

export interface IssueValue {
  /** The issuer-domain-name, lowercase; null for an empty one (`;`), which lets no CA issue. */
  issuer: string | null;
  parameters: Record<string, string>;
}

// RFC 8659 §4.2 grammar. WSP is space or tab; a label is letters/digits with inner hyphens.
const WSP = '[ \\t]*';
const LABEL = '[a-z0-9](?:-*[a-z0-9])*';
const ISSUER = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'i');
const PARAMETER = new RegExp(`^(${LABEL})${WSP}=${WSP}([\\x21-\\x3a\\x3c-\\x7e]*)$`, 'i');

/**
 * Parses an issue or issuewild property value:
 * `*WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]`. Null when malformed.
 */
export function parseIssueValue(value: string): IssueValue | null {
  const semicolon = value.indexOf(';');
  const issuerPart = (semicolon === -1 ? value : value.slice(0, semicolon)).replace(/^[ \t]+|[ \t]+$/g, '');
  if (issuerPart !== '' && !ISSUER.test(issuerPart)) return null;

  const parameters: Record<string, string> = {};
  if (semicolon !== -1) {
    const rest = value.slice(semicolon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    // Parameter values cannot contain ';', so splitting on it is exact. An empty piece (a
    // trailing or doubled ';') does not fit the grammar.
    if (rest !== '') {
      for (const piece of rest.split(';')) {
        const match = PARAMETER.exec(piece.replace(/^[ \t]+|[ \t]+$/g, ''));
        if (!match) return null;
        parameters[match[1]!.toLowerCase()] = match[2]!;
      }
    }
  }
  return { issuer: issuerPart === '' ? null : issuerPart.toLowerCase(), parameters };
}

/** Tags CAs understand; contactemail/contactphone (CA/B Forum) are known to the big CAs too. */
const KNOWN_TAGS = new Set(['issue', 'issuewild', 'iodef', 'contactemail', 'contactphone']);
const ISSUER_CRITICAL = 128;

/** The first critical property with a tag no CA understands: it forbids all issuance. */
export function criticalUnknownTag(records: readonly CaaRecord[]): string | null {
  const found = records.find((r) => (r.flags & ISSUER_CRITICAL) !== 0 && !KNOWN_TAGS.has(r.tag.toLowerCase()));
  return found ? found.tag.toLowerCase() : null;
}

/** The tag whose properties decide: issuewild for a wildcard when the set has any (§4.3), else issue. */
function decidingTag(records: readonly CaaRecord[], wildcard: boolean): 'issue' | 'issuewild' {
  return wildcard && records.some((r) => r.tag.toLowerCase() === 'issuewild') ? 'issuewild' : 'issue';
}

/**
 * The ACME challenges an on-demand TLS proxy (Caddy) answers for a host that is a CNAME to us:
 * it cannot publish a dns-01 TXT record in the customer's zone.
 */
export const PROXY_VALIDATION_METHODS: readonly string[] = ['http-01', 'tls-alpn-01'];

/**
 * Whether the relevant CAA RRset lets `caDomain` (e.g. "letsencrypt.org") issue, per RFC 8659 §4.
 * A `validationmethods` parameter (RFC 8657) must allow one of PROXY_VALIDATION_METHODS; an
 * `accounturi` is not checked (the account is the proxy's, unknown here).
 */
export function caIsAuthorized(records: readonly CaaRecord[], caDomain: string, opts: { wildcard?: boolean } = {}): boolean {
  if (criticalUnknownTag(records) !== null) return false;
  const tag = decidingTag(records, opts.wildcard ?? false);
  const properties = records.filter((r) => r.tag.toLowerCase() === tag);
  // Only iodef, unknown non-critical tags, or (for a non-wildcard) only issuewild: no restriction.
  if (properties.length === 0) return true;
  const ca = caDomain.toLowerCase();
  // A malformed value still counts as a restricting property, but names no CA.
  return properties.some((r) => {
    const parsed = parseIssueValue(r.value);
    if (parsed?.issuer !== ca) return false;
    const methods = parsed.parameters.validationmethods;
    return methods === undefined || methods.split(',').some((m) => PROXY_VALIDATION_METHODS.includes(m.trim().toLowerCase()));
  });
}

export type CaaSearchResult =
  /** No CAA record at the name or any parent: every CA may issue. */
  | { kind: 'none' }
  /** The relevant RRset, found by the query at `owner`. */
  | { kind: 'found'; owner: string; records: CaaRecord[] }
  /** The query at `at` failed, so the relevant RRset is unknown. */
  | { kind: 'lookup_failed'; at: string; failure: DnsFailure; detail?: string };

/**
 * The relevant RRset search of RFC 8659 §3: query CAA at the name, then at each parent, up to
 * but not including the root, and return the first non-empty answer.
 *
 * `lookup` is a plain CAA query: the resolver follows a CNAME at the queried name, so a set
 * found at an alias target is returned under the queried name. The climb itself continues from
 * the queried name's parent, never the alias target's (§3, which replaced RFC 6844's climbing
 * of alias targets; see §7).
 */
export async function findRelevantCaaSet(
  name: string,
  lookup: (name: string) => Promise<DnsAnswer<CaaRecord>>,
): Promise<CaaSearchResult> {
  let current = name.toLowerCase().replace(/\.$/, '');
  while (current !== '') {
    const answer = await lookup(current);
    if (answer.ok) {
      if (answer.records.length > 0) return { kind: 'found', owner: current, records: answer.records };
    } else if (answer.failure !== 'nxdomain' && answer.failure !== 'nodata') {
      // Strict, as Let's Encrypt is: a CA that cannot read CAA at some level refuses to issue
      // rather than assume the set is empty, since the failed answer might have forbidden it.
      // So "empty, climb on" here would promise a certificate the CA will not issue.
      const failed: CaaSearchResult = { kind: 'lookup_failed', at: current, failure: answer.failure };
      return answer.detail === undefined ? failed : { ...failed, detail: answer.detail };
    }
    const dot = current.indexOf('.');
    current = dot === -1 ? '' : current.slice(dot + 1);
  }
  return { kind: 'none' };
}

export type CaaDecision =
  /** The CA may issue; `owner` is where the relevant set was found (null: no CAA at all). */
  | { kind: 'allowed'; required: false; owner: string | null }
  /** The CA may not issue until `record` is added to the CAA set at `owner`. */
  | { kind: 'record_needed'; required: true; owner: string; record: string }
  /** A critical property with an unknown tag at `owner` forbids every CA: it must be removed. */
  | { kind: 'critical_unknown_tag'; required: true; owner: string; tag: string }
  /** A lookup failed at `at`: a CA would refuse now, so there is no answer until DNS answers. */
  | { kind: 'lookup_failed'; required: null; at: string; failure: DnsFailure };

/**
 * What the domain owner must do, if anything, so that `caDomain` may issue for the host.
 *
 * The suggested place is the set that decides today, at `owner`; adding the record there
 * widens the policy for every name that inherits that set. (A set of its own at the host, when
 * the host is not a CNAME, would override it for the host alone.) When `owner` is a CNAME, the
 * records were the alias target's, and it is the target's set that must change.
 */
export function caaDecision(search: CaaSearchResult, caDomain: string, opts: { wildcard?: boolean } = {}): CaaDecision {
  switch (search.kind) {
    case 'none':
      return { kind: 'allowed', required: false, owner: null };
    case 'lookup_failed':
      return { kind: 'lookup_failed', required: null, at: search.at, failure: search.failure };
    case 'found': {
      const critical = criticalUnknownTag(search.records);
      if (critical !== null) return { kind: 'critical_unknown_tag', required: true, owner: search.owner, tag: critical };
      if (caIsAuthorized(search.records, caDomain, opts)) return { kind: 'allowed', required: false, owner: search.owner };
      const tag = decidingTag(search.records, opts.wildcard ?? false);
      return { kind: 'record_needed', required: true, owner: search.owner, record: `0 ${tag} "${caDomain.toLowerCase()}"` };
    }
  }
}
