import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { parse as parsePublicSuffix } from 'tldts';

export type DomainNameResult = { ok: true; name: string } | { ok: false; reason: string };

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
/** Letters, digits and hyphens, not starting or ending with a hyphen (RFC 1123 host label). */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** As HOST_LABEL, but starting with a letter (RFC 1035 §2.3.1 "preferred name syntax"). */
const LETTER_FIRST_LABEL = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** A last label WHATWG URL would read as (part of) an IPv4 address: decimal or hex. */
const NUMERIC_LABEL = /^(?:\d+|0x[0-9a-f]*)$/i;
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function refuse(reason: string): DomainNameResult {
  return { ok: false, reason };
}

/**
 * A domain a customer may use: a registrable domain (example.com) or a name under it
 * (links.example.com). Returns the normal form — lowercase, punycode, no trailing dot — or a
 * reason fit to show the customer. Pure: the Public Suffix List is bundled with tldts.
 */
export function parseDomainName(input: string): DomainNameResult {
  const trimmed = input.trim();
  if (trimmed === '') return refuse('Enter a domain name.');
  if (/\s/.test(trimmed)) return refuse('A domain name cannot contain spaces.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    return refuse('Enter only the domain name (like links.example.com), not a URL.');
  }
  const unbracketed = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  if (ipaddr.IPv6.isValid(unbracketed)) return refuse('Enter a domain name, not an IP address.');
  if (/[/?#@:\\]/.test(trimmed)) {
    return refuse('Enter only the domain name, without a path, port or user name.');
  }
  if (trimmed.includes('*')) return refuse('Wildcards are not allowed: enter one exact domain name.');
  // Other ASCII punctuation is refused here rather than handed to domainToASCII, which would
  // percent-decode it ("a%41.com" → "aa.com") or drop what follows it.
  const bad = [...trimmed].find((c) => c < '\x80' && !/[a-z0-9.-]/i.test(c));
  if (bad !== undefined) return refuse(`A domain name can only contain letters, digits, hyphens and dots, not "${bad}".`);

  const withoutDot = trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
  const lastLabel = withoutDot.slice(withoutDot.lastIndexOf('.') + 1);
  // WHATWG treats a numeric last label as IPv4, so "1.2.3.4", "127.1" and "0x7f.1" all end up
  // as addresses; no top-level domain is numeric, so nothing valid is lost.
  if (NUMERIC_LABEL.test(lastLabel)) {
    return DOTTED_QUAD.test(domainToASCII(withoutDot))
      ? refuse('Enter a domain name, not an IP address.')
      : refuse('A domain name cannot end in a number.');
  }

  // Lowercases, maps (UTS #46) and encodes internationalised labels; '' when it cannot.
  const name = domainToASCII(withoutDot);
  if (name === '') return refuse('This is not a valid internationalised domain name.');
  if (DOTTED_QUAD.test(name)) return refuse('Enter a domain name, not an IP address.');
  if (!/^[a-z0-9.-]+$/.test(name)) return refuse('A domain name can only contain letters, digits, hyphens and dots.');
  if (name.length > MAX_NAME_LENGTH) return refuse(`A domain name can be at most ${MAX_NAME_LENGTH} characters long.`);

  const labels = name.split('.');
  for (const label of labels) {
    if (label === '') return refuse('A domain name cannot have empty parts (two dots in a row, or a leading dot).');
    if (label.length > MAX_LABEL_LENGTH) {
      return refuse(`Each part of a domain name can be at most ${MAX_LABEL_LENGTH} characters long ("${label.slice(0, 20)}…" is ${label.length}).`);
    }
    if (!HOST_LABEL.test(label)) return refuse(`"${label}" cannot start or end with a hyphen.`);
  }
  if (labels.length < 2) return refuse(`"${name}" is a single label: enter a full domain name such as example.com.`);

  // The private section counts too: nobody can prove they own github.io for all its users.
  const psl = parsePublicSuffix(name, { allowPrivateDomains: true });
  if (psl.domain === null || psl.publicSuffix === name) {
    return refuse(`"${name}" is a public suffix, shared by many owners: enter a domain registered under it.`);
  }
  return { ok: true, name };
}

/** A return-path (bounce) label such as `bounces`: starts with a letter, as mail systems expect. */
export function isValidReturnPathLabel(label: string): boolean {
  return LETTER_FIRST_LABEL.test(label);
}

/** One tracking subdomain label such as `links` or `1st` (RFC 1123 allows a leading digit). */
export function isValidSubdomainLabel(label: string): boolean {
  return HOST_LABEL.test(label);
}
