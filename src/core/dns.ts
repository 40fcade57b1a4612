/**
 * DNS answers as domain verification sees them (the DnsResolver port returns them). They tell
 * apart the ways a lookup can come back empty, because a timeout is not a missing record.
 */
export type DnsFailure =
  /** The name does not exist (NXDOMAIN). */
  | 'nxdomain'
  /** The name exists but has no record of this type (NOERROR, empty answer). */
  | 'nodata'
  /** The server could not answer (SERVFAIL). */
  | 'servfail'
  /** The server refused the query (REFUSED). */
  | 'refused'
  /** No answer in time. */
  | 'timeout'
  /** Anything else (connection refused, malformed answer…); `detail` says what. */
  | 'error';

export type DnsAnswer<T> = { ok: true; records: T[] } | { ok: false; failure: DnsFailure; detail?: string };

export interface MxRecord {
  /** Normalised: lowercase, no trailing dot, punycode. */
  exchange: string;
  priority: number;
}

export interface CaaRecord {
  /** The flags octet (128 = issuer critical). */
  flags: number;
  /** Property tag, lowercase: issue, issuewild, iodef, or another. */
  tag: string;
  value: string;
}
