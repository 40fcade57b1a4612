import addressparser from 'nodemailer/lib/addressparser/index.js';
import { ServiceError } from '../core/errors.js';

/** Header names the API sets itself; a caller may not override them through `headers`. */
const RESERVED_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'message-id', 'date', 'mime-version',
  'content-type', 'content-transfer-encoding', 'sender', 'return-path',
]);
const HEADER_NAME = /^[!-9;-~]+$/;

/** Parses one or more addresses the way nodemailer will, refusing anything it would not deliver to. */
export function parseAddresses(field: string, value: string | string[] | undefined, options: { single?: boolean } = {}): string[] {
  if (value === undefined) return [];
  const inputs = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const input of inputs) {
    if (/[\r\n]/.test(input)) throw invalid(field, `"${field}" must not contain line breaks`);
    const parsed = addressparser(input, { flatten: true });
    if (parsed.length !== 1) throw invalid(field, `"${field}" entry "${input}" must hold exactly one address`);
    const address = parsed[0]!.address;
    if (!isMailbox(address)) throw invalid(field, `"${field}" has an invalid address: "${input}"`);
    out.push(input.trim());
  }
  if (options.single && out.length !== 1) throw invalid(field, `"${field}" must be exactly one address`);
  return out;
}

/** The domain part of one address, lowercased. */
export function addressDomain(value: string): string {
  const address = addressparser(value, { flatten: true })[0]?.address ?? '';
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

export function validateHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw invalid('headers', `header name "${name}" is not valid`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw invalid('headers', `header "${name}" is set by Waymark and cannot be overridden`);
    if (/[\r\n\0]/.test(value)) throw invalid('headers', `header "${name}" must not contain line breaks`);
    out[name] = value;
  }
  return out;
}

function isMailbox(address: string | undefined): boolean {
  if (!address) return false;
  const at = address.lastIndexOf('@');
  return at > 0 && at < address.length - 1 && !/\s/.test(address);
}

function invalid(field: string, message: string): ServiceError {
  return new ServiceError('validation_failed', message, { field });
}
