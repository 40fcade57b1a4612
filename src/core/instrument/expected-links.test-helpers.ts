import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { TRACKING } from './instrument.test-helpers.js';

/**
 * The links the engine should track in an HTML document, worked out independently of it: cheerio
 * (parse5, a spec-compliant HTML parser) on the document and on the body of each Outlook
 * conditional comment, with the spec's rules written as plain checks.
 */
// Independent of placeholders.ts on purpose: the syntaxes of the spec, as regular expressions.
// `%name%`: a name that does not start like a percent-escape, or a one-case word of 3+ characters
// that starts with two letters and has a letter past f (or a _) in it.
const PLACEHOLDER =
  /\{\{|\{%|\$\{|\[\[|<%|\*\|.*\|\*|%%|%(?:(?![0-9A-Fa-f]{2})[A-Za-z_]\w*|(?=[A-F]{2})(?=[A-Z0-9_]*[G-Z_])[A-Z0-9_]{3,}|(?=[a-f]{2})(?=[a-z0-9_]*[g-z_])[a-z0-9_]{3,})%/;

export interface Expected {
  offset: number;
  destination: string;
  location: 'html' | 'vml';
}

/** A browser's destination for an href, or null if the engine must leave it alone. */
function expectedDestination(href: string): string | null {
  if (PLACEHOLDER.test(href)) return null;
  if (!URL.canParse(href)) return null;
  const url = new URL(href);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.hostname === new URL(TRACKING).hostname && url.pathname.startsWith('/v1/track/')) return null;
  return url.href;
}

const OPT_OUT = ['data-waymark-track', 'clicktracking', 'ses:no-track', 'disable-tracking', 'data-msys-clicktrack', 'mc:disable-tracking'];
function optedOut($el: cheerio.Cheerio<Element>): boolean {
  return OPT_OUT.some((name) => {
    const v = $el.attr(name);
    if (v === undefined) return false;
    if (name === 'ses:no-track' || name === 'mc:disable-tracking') return true;
    return v.trim().toLowerCase() === { 'data-waymark-track': 'off', clicktracking: 'off', 'disable-tracking': 'true', 'data-msys-clicktrack': '0' }[name];
  });
}

function linksIn(html: string, base: number, inConditional: boolean, out: Expected[]): void {
  const $ = cheerio.load(html, { sourceCodeLocationInfo: true }, !inConditional);
  const selector = inConditional ? 'a[href], area[href], v\\:roundrect[href], v\\:rect[href], v\\:oval[href], v\\:shape[href]' : 'a[href], area[href]';
  $(selector).each((_i, el) => {
    const $el = $(el);
    if (optedOut($el)) return;
    const destination = expectedDestination($el.attr('href')!);
    if (destination === null) return;
    out.push({ offset: base + el.sourceCodeLocation!.startOffset, destination, location: el.tagName.startsWith('v:') ? 'vml' : 'html' });
  });
  if (inConditional) return;
  const walk = (node: AnyNode): void => {
    for (const child of 'children' in node ? node.children : []) {
      if (child.type === 'comment') {
        const data = child.data;
        const m = /^\[if\s[^\]]*\]>/i.exec(data);
        if (m) {
          const endif = data.search(/<!\[endif\]\s*$/i);
          const inner = data.slice(m[0].length, endif === -1 ? undefined : endif);
          linksIn(inner, base + child.sourceCodeLocation!.startOffset + 4 + m[0].length, true, out);
        }
      } else {
        walk(child);
      }
    }
  };
  walk($.root()[0]!);
}

export function expectedLinks(html: string): Expected[] {
  const out: Expected[] = [];
  linksIn(html, 0, false, out);
  return out.sort((a, b) => a.offset - b.offset);
}

