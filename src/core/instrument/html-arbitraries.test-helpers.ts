import fc from 'fast-check';
import type { ClickTracking, PixelPlacement } from './index.js';
import { TRACKING } from './instrument.test-helpers.js';

/** The fast-check arbitraries of the property tests (instrument.property.test.ts, strict-tokenizer.test.ts). */

// ---- arbitraries: html-ish documents -------------------------------------------------------------

const TRACKABLE = [
  'https://example.com/a',
  'http://example.org/p?q=1&r=2',
  'https://example.com/p?a=1&amp;b=2&#38;c=3',
  'https://bücher.example/ä b?q=ü#frag ment',
  'HTTPS://EXAMPLE.COM:443/X/./Y/../Z',
  ' \n https://example.com/ws \t',
  'https://example.com/%E2%80%99s',
  'https://en.wikipedia.org/wiki/Mercury_(planet)',
  'https://example.com/?off=50%',
];
const UNTRACKABLE = [
  'https://example.com/{{user_id}}',
  'https://example.com/?e=*|EMAIL|*',
  'https://example.com/?e=%%email%%',
  'https://example.com/?e=%email%',
  'https://example.com/${x}',
  'https://example.com/<%= id %>',
  'mailto:a@example.com',
  'tel:+123',
  'javascript:void(0)',
  '#top',
  '/relative',
  '',
  'http://',
  'https://exa mple.com/',
  `${TRACKING}/v1/track/click/abc`,
];

export const href = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TRACKABLE) },
  { weight: 3, arbitrary: fc.constantFrom(...UNTRACKABLE) },
  { weight: 3, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

export const word = fc.constantFrom('Shop', 'now', 'Read more', 'caf&eacute;', 'Fish &amp; chips', '&nbsp;', '\n  ', 'ünï', 'x', '&#x1F600;', '&amp', '&bogus;');
export const text = fc.array(word, { maxLength: 4 }).map((w) => w.join(' '));

export function randomCase(s: string): fc.Arbitrary<string> {
  return fc.boolean().chain((upper) => fc.boolean().map((mixed) => (mixed ? [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('') : upper ? s.toUpperCase() : s)));
}

/** `name=value` with a random quoting style (escaped so that it stays one attribute). */
export function attribute(name: string, value: string | null): fc.Arbitrary<string> {
  return fc.tuple(randomCase(name), fc.constantFrom('"', "'", '', ''), fc.constantFrom('', ' ', '\n', ' \t')).map(([n, q, ws]) => {
    if (value === null) return n;
    if (q === '' && value.length > 0 && !/[\s"'=<>`]/.test(value)) return `${n}${ws}=${ws}${value}`;
    const quote = q === "'" ? "'" : '"';
    const escaped = value.replace(/&(?![#a-zA-Z0-9])/g, '&amp;').replace(quote === '"' ? /"/g : /'/g, quote === '"' ? '&quot;' : '&#39;');
    return `${n}${ws}=${ws}${quote}${escaped}${quote}`;
  });
}

export const otherAttribute = fc.oneof(
  attribute('class', 'btn'),
  attribute('style', 'color:#fff;font-family:Arial,sans-serif'),
  attribute('target', '_blank'),
  attribute('data-href', 'https://example.com/not-this'),
  attribute('title', 'a "quoted" title'),
  attribute('clicktracking', 'on'),
  attribute('data-waymark-label', 'Label &amp; more'),
);
export const optOutAttribute = fc.oneof(
  attribute('data-waymark-track', 'off'),
  attribute('clicktracking', 'off'),
  attribute('ses:no-track', null),
  attribute('disable-tracking', 'true'),
  attribute('data-msys-clicktrack', '0'),
  attribute('mc:disable-tracking', null),
);

/** `arb` about once in `n` times, else null. */
export function sometimes<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

export function tagAttributes(withOptOut: boolean): fc.Arbitrary<string> {
  return fc
    .tuple(
      href.chain((h) => attribute('href', h)),
      fc.array(otherAttribute, { maxLength: 3 }),
      withOptOut ? sometimes(optOutAttribute, 8) : fc.constant(null),
      sometimes(href.chain((h) => attribute('href', h)), 6),
      fc.constantFrom(' ', '\n    ', '  '),
    )
    .chain(([h, others, opt, dup, sep]) =>
      fc.shuffledSubarray([h, ...others, ...(opt ? [opt] : [])], { minLength: 1 + others.length + (opt ? 1 : 0) }).map((attrs) => {
        // The first href decides; a repeated one comes after it.
        return sep + [...attrs, ...(dup ? [dup] : [])].join(sep);
      }),
    );
}

export function anchor(withOptOut: boolean): fc.Arbitrary<string> {
  return fc
    .tuple(
      randomCase('a'),
      tagAttributes(withOptOut),
      fc.oneof(text, text.map((t) => `<b>${t}</b>`), fc.constant('<img src="x.png" alt="Logo &amp; co">'), fc.constant('<span>x</span><br>y')),
    )
    .map(([a, attrs, content]) => `<${a}${attrs}>${content}</${a}>`);
}

export function area(withOptOut: boolean): fc.Arbitrary<string> {
  return tagAttributes(withOptOut).map((attrs) => `<area${attrs} alt="Map">`);
}

export function vml(withOptOut: boolean): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('v:roundrect', 'v:rect', 'v:oval', 'v:shape'), tagAttributes(withOptOut), text)
    .map(([tag, attrs, t]) => `<${tag} xmlns:v="urn:schemas-microsoft-com:vml"${attrs}><w:anchorlock/><center>${t}</center></${tag}>`);
}

export function conditional(inner: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('[if mso]', '[if gte mso 9]', '[if (mso)|(IE)]', '[IF MSO]'), fc.array(inner, { maxLength: 3 }), fc.constantFrom('<![endif]', '<![ENDIF]'))
    .map(([cond, parts, endif]) => `<!--${cond}>${parts.join('\n')}${endif}-->`);
}

export function piece(withOptOut: boolean): fc.Arbitrary<string> {
  const link = fc.oneof(anchor(withOptOut), area(withOptOut));
  return fc.oneof(
    { weight: 5, arbitrary: link },
    { weight: 3, arbitrary: text.map((t) => `<p>${t}</p>`) },
    { weight: 2, arbitrary: conditional(fc.oneof(vml(withOptOut), anchor(withOptOut), fc.constant('<table><tr><td>'), fc.constant('</td></tr></table>'))) },
    { weight: 1, arbitrary: link.map((l) => `<!-- ${l.replace(/--/g, '')} -->`) },
    { weight: 1, arbitrary: link.map((l) => `<!--[if !mso]><!-->${l}<!--<![endif]-->`) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('style', 'script', 'title', 'textarea', 'xmp'), link).map(([t, l]) => `<${t}>${l}</${t}>`),
    },
    { weight: 1, arbitrary: fc.constantFrom(`<img src="${TRACKING}/v1/track/open/abc" width="1">`, '<img src="logo.png" alt="x">', '<br/>', '<hr>') },
    { weight: 1, arbitrary: fc.constantFrom('<table role="presentation"><tr><td>', '</td></tr></table>', '<div>', '</div>', '<center>', '</center>') },
  );
}

export function document(withOptOut: boolean): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('', '<!DOCTYPE html>', '<!doctype html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">\n'),
      fc.boolean(),
      fc.array(piece(withOptOut), { maxLength: 12 }),
      fc.boolean(),
    )
    .map(([doctype, body, pieces, close]) => {
      const content = pieces.join('\n');
      if (!body) return doctype + content;
      return `${doctype}<html><head><title>T</title></head><body style="margin:0">${content}${close ? '</body></html>' : ''}`;
    });
}

export const junk = fc.string({
  unit: fc.constantFrom('<', '>', '"', "'", '=', '&', '/', '!', '-', '[', ']', ' ', '\n', 'a', 'h', 'r', 'e', 'f', 'v', ':', '#', ';', 'x', '\0', 'é', '\uD800'),
  maxLength: 40,
});

/** A document then mangled: cut short, with junk inserted, a slice deleted or duplicated. */
export const mangled = fc
  .tuple(document(true), fc.array(fc.tuple(fc.nat(), fc.nat(), junk, fc.constantFrom('cut', 'insert', 'delete', 'dup')), { maxLength: 3 }))
  .map(([doc, ops]) => {
    let s = doc;
    for (const [a, b, j, op] of ops) {
      const i = s.length === 0 ? 0 : a % (s.length + 1);
      const k = s.length === 0 ? 0 : b % (s.length + 1);
      const [lo, hi] = i <= k ? [i, k] : [k, i];
      if (op === 'cut') s = s.slice(0, i);
      else if (op === 'insert') s = s.slice(0, i) + j + s.slice(i);
      else if (op === 'delete') s = s.slice(0, lo) + s.slice(hi);
      else s = s.slice(0, hi) + s.slice(lo, hi) + s.slice(hi);
    }
    return s;
  });

export const anyHtml = fc.oneof(document(true), mangled, junk, fc.string({ maxLength: 200 }));

export const settings = fc.record({
  open: fc.boolean(),
  click: fc.constantFrom<ClickTracking>(false, 'html', 'text', 'html_and_text'),
  pixel: fc.constantFrom<PixelPlacement>('bottom', 'top', 'auto'),
  hostId: fc.nat({ max: 1000 }),
  trapLink: fc.boolean(),
  aggregateCohortId: fc.option(fc.uuid(), { nil: undefined }),
});
