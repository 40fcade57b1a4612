import ipaddr from 'ipaddr.js';
import type { DnsTargets } from './records.js';

export interface TargetWarning {
  code: 'unreachable_target';
  message: string;
}

/** A name other hosts cannot reach or cannot put in DNS: localhost, an IP literal, a single label. */
function unreachable(host: string): string | null {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return 'is this machine (localhost)';
  if (ipaddr.isValid(name)) return 'is an IP address, which a CNAME, MX or SPF include cannot name';
  if (!name.includes('.')) return 'is a single-label name, which no one else resolves';
  return null;
}

const SETTINGS: ReadonlyArray<{ key: keyof DnsTargets; variable: string; records: string }> = [
  { key: 'trackingCnameTarget', variable: 'WAYMARK_TRACKING_CNAME_TARGET', records: 'the tracking CNAME' },
  { key: 'mxHost', variable: 'WAYMARK_MX_HOST', records: 'the return-path MX' },
  { key: 'spfInclude', variable: 'WAYMARK_SPF_INCLUDE', records: 'the SPF include' },
];

/**
 * The records every domain is told to add, judged once from the operator's settings: pointing at
 * localhost or an IP literal (the default when WAYMARK_TRACKING_URL is not set) they can never verify.
 */
export function targetWarnings(targets: DnsTargets): TargetWarning[] {
  const warnings: TargetWarning[] = [];
  for (const s of SETTINGS) {
    const why = unreachable(targets[s.key]);
    if (why === null) continue;
    warnings.push({
      code: 'unreachable_target',
      message: `${s.records} points at "${targets[s.key]}", which ${why}: the record cannot verify. Set WAYMARK_TRACKING_URL to this server's public https URL (or ${s.variable}).`,
    });
  }
  return warnings;
}
