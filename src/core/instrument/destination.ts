import { decodeHTMLAttribute } from 'entities';

/**
 * An attribute value as the browser sees it: character references decoded (attribute rules) and
 * NUL characters replaced by U+FFFD, as the HTML tokenizer does.
 */
export function decodeAttributeValue(raw: string): string {
  const value = raw.indexOf('&') === -1 ? raw : decodeHTMLAttribute(raw);
  return value.indexOf('\0') === -1 ? value : value.replace(/\0/g, '\uFFFD');
}

/**
 * The URL a browser would follow from a decoded `href` value (or a URL found in a text part), when it is
 * an absolute http(s) URL; otherwise null (other schemes, relative or empty values, fragments,
 * malformed URLs).
 *
 * Steps: decode character references as an HTML attribute value is decoded, then parse per
 * WHATWG URL (`new URL`), which trims C0 controls and spaces, drops tabs and newlines, turns IDN
 * hosts into punycode and percent-encodes spaces and non-ASCII characters, as browsers do. Query
 * and fragment are kept.
 */
export function parseHttpUrl(value: string): URL | null {
  if (!mayBeHttpUrl(value)) return null;
  let url: URL;
  try {
    // No String#trim: the URL parser itself strips leading and trailing C0 controls and spaces,
    // exactly as a browser does; other Unicode spaces are part of the URL there.
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.hostname.length === 0) return null;
  return url;
}

/**
 * Cheap pre-check so that `new URL` (and its exception on relative input) runs only on values that
 * can be absolute http(s) URLs: after leading C0 controls and spaces, the letters h t t p (any
 * case, with tabs or newlines between them, which URL parsing removes).
 */
function mayBeHttpUrl(s: string): boolean {
  const n = s.length;
  let i = 0;
  while (i < n && s.charCodeAt(i) <= 0x20) i++;
  const want = 'http';
  let k = 0;
  while (i < n && k < want.length) {
    const c = s.charCodeAt(i);
    if (c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if ((c | 0x20) !== want.charCodeAt(k)) return false;
    k++;
    i++;
  }
  return k === want.length;
}
