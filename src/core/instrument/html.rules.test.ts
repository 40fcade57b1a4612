import { describe, expect, it } from 'vitest';
import { decodeToken } from '../tokens/index.js';
import { CLICK_PREFIX, clickToken, hrefs, html, keyring, options, TRACKING } from './instrument.test-helpers.js';
import { instrument, InstrumentOptionsError } from './index.js';

const URL_A = 'https://example.com/a';

/** The one tracked link of a snippet, and the output. */
function one(snippet: string, overrides = {}) {
  const r = html(snippet, overrides);
  expect(r.links).toHaveLength(1);
  return { out: r.html, link: r.links[0]!, r };
}

function untouched(snippet: string, overrides = {}) {
  const r = html(snippet, overrides);
  expect(r.links).toEqual([]);
  expect(r.html).toBe(snippet);
  expect(r.htmlEdits).toEqual([]);
}

describe('byte preservation', () => {
  it('changes nothing but the href value', () => {
    const input = `<TABLE  border=0><tr><td CLASS='x'>\n  <A  target=_blank\n HREF="${URL_A}"  style = "color : red" >Go&nbsp;now</A  ></td></tr></TABLE>\n<p>ünïcødé ✓ &copy; <br/> <img src=x.png></p>`;
    const { out } = one(input);
    const tracked = hrefs(out)[0]!;
    expect(tracked.startsWith(CLICK_PREFIX)).toBe(true);
    expect(out).toBe(input.replace(URL_A, tracked));
  });

  it('records edits whose replacements are the tracking URLs, at the offsets of the href values', () => {
    const input = `<a href="${URL_A}">a</a> <a href='${URL_A}?b'>b</a>`;
    const r = html(input);
    expect(r.htmlEdits.map((e) => [e.start, e.end, e.original])).toEqual([
      [input.indexOf(URL_A), input.indexOf(URL_A) + URL_A.length, URL_A],
      [input.lastIndexOf(URL_A), input.lastIndexOf(URL_A) + URL_A.length + 2, `${URL_A}?b`],
    ]);
  });
});

describe('quoting, case, whitespace, entities', () => {
  it('rewrites double-quoted values', () => {
    const { out, link } = one(`<a href="${URL_A}">x</a>`);
    expect(out).toMatch(/^<a href="https:\/\/links\.example\.com\/v1\/track\/click\/[A-Za-z0-9_-]+">x<\/a>$/);
    expect(link.destination).toBe(URL_A);
  });

  it('rewrites single-quoted values', () => {
    const { out } = one(`<a href='${URL_A}'>x</a>`);
    expect(out).toMatch(/^<a href='https:\/\/links\.example\.com\/v1\/track\/click\/[A-Za-z0-9_-]+'>x<\/a>$/);
  });

  it('rewrites unquoted values and keeps them unquoted', () => {
    const { out } = one(`<a href=${URL_A}>x</a>`);
    expect(out).toMatch(/^<a href=https:\/\/links\.example\.com\/v1\/track\/click\/[A-Za-z0-9_-]+>x<\/a>$/);
  });

  it('quotes an unquoted replacement when the tracking URL needs it', () => {
    const { out } = one(`<a href=${URL_A}>x</a>`, { trackingUrl: 'https://links.example.com/t=1' });
    expect(out).toMatch(/^<a href="https:\/\/links\.example\.com\/t=1\/v1\/track\/click\/[A-Za-z0-9_-]+">x<\/a>$/);
  });

  it('escapes the tracking URL for the attribute', () => {
    const { out, link } = one(`<a href="${URL_A}">x</a>`, { trackingUrl: "https://links.example.com/a&b'c" });
    expect(out).toContain('href="https://links.example.com/a&amp;b&#39;c/v1/track/click/');
    expect(link.destination).toBe(URL_A);
  });

  it('matches tag and attribute names in any case', () => {
    const r = html(`<A HREF="${URL_A}">x</A><a HrEf="${URL_A}/2">y</a><AREA Href="${URL_A}/3" alt=z>`);
    expect(r.links.map((l) => l.destination)).toEqual([URL_A, `${URL_A}/2`, `${URL_A}/3`]);
  });

  it('accepts whitespace around = and inside the quotes', () => {
    const { link, out } = one(`<a href \n=\t"  \n${URL_A}\t ">x</a>`);
    expect(link.destination).toBe(URL_A);
    expect(out.startsWith('<a href \n=\t"https://links.example.com/')).toBe(true);
  });

  it('reads tags that span lines', () => {
    const { link } = one(`<a\n  class="btn"\n  href="${URL_A}"\n  target="_blank"\n>x</a>`);
    expect(link.destination).toBe(URL_A);
  });

  it('decodes character references in the value, as a browser does for attributes', () => {
    const { link } = one(`<a href="https://example.com/p?a=1&amp;b=2&#38;c=&#x33;&amp;d">x</a>`);
    expect(link.destination).toBe('https://example.com/p?a=1&b=2&c=3&d');
  });

  it('does not decode a legacy reference followed by = in an attribute (&copy=)', () => {
    const { link } = one(`<a href="https://example.com/p?a=1&copy=2&reg">x</a>`);
    expect(link.destination).toBe('https://example.com/p?a=1&copy=2%C2%AE');
  });

  it('counts only the first href when the attribute is repeated', () => {
    const input = `<a href="${URL_A}/first" href="${URL_A}/second">x</a>`;
    const { link, out } = one(input);
    expect(link.destination).toBe(`${URL_A}/first`);
    expect(out).toContain(`href="${URL_A}/second"`);
  });

  it('rewrites <area href>', () => {
    const { link } = one(`<map name="m"><area shape="rect" coords="0,0,1,1" href="${URL_A}" alt="Top"></map>`);
    expect(link).toMatchObject({ destination: URL_A, label: 'Top', location: 'html' });
  });
});

describe('links left untouched', () => {
  it.each([
    'mailto:someone@example.com',
    'tel:+441234567',
    'sms:+441234567',
    'javascript:alert(1)',
    'data:text/html,hi',
    'ftp://example.com/file',
    'file:///etc/passwd',
    'HTTPS',
  ])('other scheme: %s', (href) => untouched(`<a href="${href}">x</a>`));

  it.each(['#top', '#', '/relative/path', 'relative.html', '?q=1', '//example.com/protocol-relative', '', '   '])(
    'fragment, relative or empty: "%s"',
    (href) => untouched(`<a href="${href}">x</a>`),
  );

  it.each(['http://', 'https://exa mple.com/', 'http://[::1', 'https://example.com:99999/', 'http://a b'])('malformed: %s', (href) =>
    untouched(`<a href="${href}">x</a>`),
  );

  it('leaves an href with no value alone', () => untouched('<a href>x</a><a href=>y</a>'));

  it('leaves a non-breaking space before the scheme alone (a browser reads that as a relative URL)', () =>
    untouched(`<a href="&nbsp;${URL_A}">x</a>`));

  it.each(['data-href', 'hreflang', 'xlink:href', 'src', 'action', 'background', 'srcset'])('only href counts, not %s', (attr) =>
    untouched(`<a ${attr}="${URL_A}">x</a><img ${attr}="${URL_A}"><form ${attr}="${URL_A}"></form>`),
  );

  it('ignores href on other elements', () => untouched(`<link rel="stylesheet" href="${URL_A}"><base href="${URL_A}"><div href="${URL_A}"></div>`));
});

describe('template placeholders', () => {
  it.each([
    ['{{…}}', 'https://example.com/u/{{user_id}}'],
    ['{{{…}}}', 'https://example.com/u/{{{user_id}}}'],
    ['{{ … }} with spaces', 'https://example.com/?u={{ user.id }}'],
    ['{%…%}', 'https://example.com/{% url "home" %}'],
    ['*|…|*', 'https://example.com/?e=*|EMAIL|*'],
    ['%%…%%', 'https://example.com/?e=%%emailaddr%%'],
    ['%%=…=%% (AMPscript)', 'https://example.com/?e=%%=v(@email)=%%'],
    ['%name%', 'https://example.com/?e=%email%'],
    ['%NAME% that starts like an escape', 'https://example.com/?a=%ADDRESS%'],
    ['%name% that starts like an escape', 'https://example.com/?a=%address%'],
    ['%date%', 'https://example.com/?d=%date%'],
    ['${…}', 'https://example.com/${path}'],
    ['[[…]]', 'https://example.com/?t=[[token]]'],
    ['<%…%>', 'https://example.com/<%= id %>'],
    ['placeholder host', 'https://{{domain}}/x'],
    ['entity-encoded {{', 'https://example.com/&#123;&#123;id}}'],
  ])('leaves %s alone', (_name, href) => {
    const escaped = href.replace(/"/g, '&quot;');
    untouched(`<a href="${escaped}">x</a>`);
  });

  it.each([
    'https://example.com/it%E2%80%99s',
    'https://example.com/%C3%A9t%C3%A9?q=na%C3%AFve%20art',
    'https://example.com/?q=%F2%B0%84%A0A%00',
    'https://example.com/%2Fpath%2F%3Fq%3D1%26r%3D2',
    'https://example.com/?q=%e2%80%99s%20',
  ])('tracks percent-escapes, which are not %name% merge tags: %s', (href) => {
    const { link } = one(`<a href="${href}">x</a>`);
    expect(link.destination).toBe(href);
  });

  it('tracks a URL with a lone percent sign', () => {
    const { link } = one(`<a href="https://example.com/?off=50%">x</a>`);
    expect(link.destination).toBe('https://example.com/?off=50%');
  });
});

describe('already tracked, excluded hosts', () => {
  it('leaves links to the tracking host under /v1/track/ alone', () =>
    untouched(`<a href="${TRACKING}/v1/track/click/abc">x</a><a href="https://LINKS.example.com./v1/track/click/def">y</a>`));

  it('tracks other paths on the tracking host', () => {
    const { link } = one(`<a href="${TRACKING}/pricing">x</a>`);
    expect(link.destination).toBe(`${TRACKING}/pricing`);
  });

  it('tracks /v1/track/ paths on other hosts', () => {
    const { link } = one(`<a href="https://other.example.net/v1/track/click/abc">x</a>`);
    expect(link.destination).toBe('https://other.example.net/v1/track/click/abc');
  });

  it('leaves links to knownTrackingHosts alone', () =>
    untouched(`<a href="https://old-links.example.org/v1/track/click/abc">x</a>`, { knownTrackingHosts: ['old-links.example.org'] }));

  it('recognises a tracking URL with a path prefix', () =>
    untouched(`<a href="https://example.com/wm/v1/track/click/abc">x</a>`, { trackingUrl: 'https://example.com/wm/' }));

  it('is idempotent: a second run changes nothing', () => {
    const input = `<html><body><a href="${URL_A}">a</a><!--[if mso]><v:rect href="${URL_A}/v">b</v:rect><![endif]--></body></html>`;
    const o = options({ open: true });
    const first = instrument({ html: input, text: `see ${URL_A}` }, o);
    expect(first.links).toHaveLength(3);
    expect(first.pixelInserted).toBe(true);
    const second = instrument({ html: first.html, text: first.text }, o);
    expect(second.html).toBe(first.html);
    expect(second.text).toBe(first.text);
    expect(second.links).toEqual([]);
    expect(second.pixelInserted).toBe(false);
  });

  it('leaves excluded hosts alone (exact match)', () => {
    const r = html(`<a href="https://skip.example.com/x">a</a><a href="https://sub.skip.example.com/x">b</a>`, { excludedHosts: ['skip.example.com'] });
    expect(r.links.map((l) => l.destination)).toEqual(['https://sub.skip.example.com/x']);
  });

  it('"*.example.com" excludes example.com and its subdomains, but not look-alikes', () => {
    const r = html(
      `<a href="https://example.com/">a</a><a href="https://a.b.example.com/">b</a><a href="https://notexample.com/">c</a><a href="https://example.com.evil.net/">d</a>`,
      { excludedHosts: ['*.example.com'] },
    );
    expect(r.links.map((l) => l.destination)).toEqual(['https://notexample.com/', 'https://example.com.evil.net/']);
  });

  it('matches excluded hosts case-insensitively and by punycode', () => {
    const r = html(`<a href="https://BÜCHER.example/x">a</a><a href="https://Shop.Example.ORG/">b</a>`, {
      excludedHosts: ['bücher.example', 'shop.example.org'],
    });
    expect(r.links).toEqual([]);
  });
});

describe('comments and raw-text elements', () => {
  it.each([
    ['an ordinary comment', `<!-- <a href="${URL_A}">x</a> -->`],
    ['a comment closed by --!>', `<!-- <a href="${URL_A}">x</a> --!>`],
    ['an unterminated comment', `<p>hi</p><!-- <a href="${URL_A}">x</a>`],
    ['a bogus comment', `<!<a href="${URL_A}">><? <a href="${URL_A}"> ?>`],
    ['<style>', `<style>a[href="${URL_A}"]{} /* <a href="${URL_A}"> */</style>`],
    ['<script>', `<script>document.write('<a href="${URL_A}">x</a>')</script>`],
    ['<title>', `<title><a href="${URL_A}">x</a></title>`],
    ['<textarea>', `<textarea><a href="${URL_A}">x</a></textarea>`],
    ['a comment that starts like a conditional one but is not ([iframe])', `<!--[iframe]> <a href="${URL_A}">x</a> -->`],
  ])('ignores links inside %s', (_name, snippet) => untouched(snippet));

  it('tracks links after a raw-text element ends', () => {
    const r = html(`<style><a href="${URL_A}/no"></style><a href="${URL_A}/yes">x</a>`);
    expect(r.links.map((l) => l.destination)).toEqual([`${URL_A}/yes`]);
  });

  it('tracks links in downlevel-revealed conditional comments', () => {
    const { link } = one(`<!--[if !mso]><!--><a href="${URL_A}">x</a><!--<![endif]-->`);
    expect(link).toMatchObject({ destination: URL_A, location: 'html', label: 'x' });
  });
});

describe('Outlook conditional comments and VML', () => {
  it.each(['v:roundrect', 'v:rect', 'v:oval', 'v:shape'])('tracks the href of %s inside <!--[if mso]>', (tag) => {
    const input = `<div><!--[if mso]><${tag} xmlns:v="urn:schemas-microsoft-com:vml" href="${URL_A}" style="height:40px"><w:anchorlock/><center>Buy &amp; save</center></${tag}><![endif]--></div>`;
    const { link, out } = one(input);
    expect(link).toMatchObject({ destination: URL_A, location: 'vml', label: 'Buy & save' });
    expect(out).toBe(input.replace(URL_A, hrefs(out)[0]!));
    expect(hrefs(out)[0]!.startsWith(CLICK_PREFIX)).toBe(true);
  });

  it('tracks a bulletproof button: the VML link and its HTML twin', () => {
    const input = `<!--[if mso]>\n<v:roundrect href="${URL_A}?o=1&amp;c=vml" arcsize="10%"><w:anchorlock/><center>Register</center></v:roundrect>\n<![endif]--><a href="${URL_A}?o=1&amp;c=html" style="mso-hide:all">Register now</a>`;
    const r = html(input);
    expect(r.links).toEqual([
      { index: 0, destination: `${URL_A}?o=1&c=vml`, label: 'Register', location: 'vml' },
      { index: 1, destination: `${URL_A}?o=1&c=html`, label: 'Register now', location: 'html' },
    ]);
  });

  it('tracks <a href> inside a conditional comment, with location html', () => {
    const { link } = one(`<!--[if gte mso 9]><table><tr><td><a href="${URL_A}">Outlook only</a></td></tr></table><![endif]-->`);
    expect(link).toMatchObject({ destination: URL_A, location: 'html', label: 'Outlook only' });
  });

  it('reads conditional comments in any case', () => {
    const { link } = one(`<!--[IF MSO]><V:ROUNDRECT HREF="${URL_A}">x</V:ROUNDRECT><![ENDIF]-->`);
    expect(link.location).toBe('vml');
  });

  it('does not treat VML outside a conditional comment as a link', () => untouched(`<v:roundrect href="${URL_A}">x</v:roundrect>`));

  it('leaves VML placeholders, fragments and opt-outs as they are', () => {
    const input = `<!--[if mso]><v:rect href="#">a</v:rect><v:rect href="{{url}}">b</v:rect><v:oval href="${URL_A}" data-waymark-track="off">c</v:oval><![endif]-->`;
    const r = html(input);
    expect(r.links).toEqual([]);
    expect(r.html).toBe(input.replace(' data-waymark-track="off"', ''));
  });

  it('keeps VML text that spans two conditional comments', () => {
    const { link } = one(`<!--[if mso]><v:roundrect href="${URL_A}"><center><![endif]--><span>html only</span><!--[if mso]>Book a table</center></v:roundrect><![endif]-->`);
    expect(link.label).toBe('Book a table');
  });
});

describe('per-link opt-out', () => {
  it.each([
    ['data-waymark-track="off"', ' data-waymark-track="off"'],
    ['clicktracking="off" (SendGrid)', ' clicktracking="off"'],
    ['clicktracking=off unquoted', ' clicktracking=off'],
    ['ses:no-track (boolean)', ' ses:no-track'],
    ['disable-tracking="true"', ' disable-tracking="true"'],
    ['data-msys-clicktrack="0" (SparkPost)', ' data-msys-clicktrack="0"'],
    ['mc:disable-tracking (boolean, Mailchimp)', ' mc:disable-tracking'],
    ['upper-case name and value', '\n   CLICKTRACKING="OFF"'],
  ])('%s: the link stays and the attribute goes with the whitespace before it', (_name, attr) => {
    const input = `<a class="x"${attr} href="${URL_A}" target="_blank">x</a>`;
    const r = html(input);
    expect(r.links).toEqual([]);
    expect(r.html).toBe(`<a class="x" href="${URL_A}" target="_blank">x</a>`);
  });

  it('removes an opt-out attribute that is last in the tag, keeping the tag tidy', () => {
    const r = html(`<a href="${URL_A}" ses:no-track>x</a><a href=${URL_A} mc:disable-tracking/>y</a>`);
    expect(r.html).toBe(`<a href="${URL_A}">x</a><a href=${URL_A}/>y</a>`);
  });

  it.each([
    'clicktracking="on"',
    'data-waymark-track="on"',
    'disable-tracking="false"',
    'data-msys-clicktrack="1"',
  ])('leaves %s as it is and tracks the link', (attr) => {
    const input = `<a ${attr} href="${URL_A}">x</a>`;
    const { out } = one(input);
    expect(out.startsWith(`<a ${attr} href="${CLICK_PREFIX}`)).toBe(true);
  });

  it('only the marked link opts out', () => {
    const r = html(`<a href="${URL_A}/1" data-waymark-track="off">a</a><a href="${URL_A}/2">b</a>`);
    expect(r.links.map((l) => l.destination)).toEqual([`${URL_A}/2`]);
  });
});

describe('labels', () => {
  it('uses data-waymark-label and keeps the attribute', () => {
    const { link, out } = one(`<a data-waymark-label="Hero &amp; CTA" href="${URL_A}">Click</a>`);
    expect(link.label).toBe('Hero & CTA');
    expect(out).toContain('data-waymark-label="Hero &amp; CTA"');
  });

  it('uses the link text, references decoded and whitespace collapsed', () => {
    const { link } = one(`<a href="${URL_A}">\n   Fish &amp;&nbsp;chips\n   <b>for\ttwo</b>&#33; </a>`);
    expect(link.label).toBe('Fish & chips for two!');
  });

  it('separates words at block boundaries and <br>', () => {
    const { link } = one(`<a href="${URL_A}"><div>One</div><div>Two</div>Three<br>Four</a>`);
    expect(link.label).toBe('One Two Three Four');
  });

  it('keeps inline elements together', () => {
    const { link } = one(`<a href="${URL_A}">Un<b>believ</b><i>able</i></a>`);
    expect(link.label).toBe('Unbelievable');
  });

  it('cuts labels to 80 characters', () => {
    const long = 'word '.repeat(40);
    const { link } = one(`<a href="${URL_A}">${long}</a>`);
    expect(link.label).toBe(long.trim().slice(0, 80).trimEnd());
    expect(link.label.length).toBeLessThanOrEqual(80);
  });

  it('falls back to the alt of an image-only link', () => {
    const { link } = one(`<a href="${URL_A}">\n  <img src="logo.png" alt="Acme &amp; Co">\n</a>`);
    expect(link.label).toBe('Acme & Co');
  });

  it('prefers text over the alt', () => {
    const { link } = one(`<a href="${URL_A}"><img src="i.png" alt="Icon"> Read more</a>`);
    expect(link.label).toBe('Read more');
  });

  it('ignores comments, scripts and styles inside the link', () => {
    const { link } = one(`<a href="${URL_A}">Shop<!-- hidden --><style>.x{}</style> now</a>`);
    expect(link.label).toBe('Shop now');
  });

  it('ends a label where the link ends, even without </a>', () => {
    const r = html(`<td><a href="${URL_A}/1">One</td><td>not part</td><a href="${URL_A}/2">Two<a href="${URL_A}/3">Three</a>`);
    expect(r.links.map((l) => l.label)).toEqual(['One', 'Two', 'Three']);
  });

  it('gives an empty label to a link with no text and no alt', () => {
    const { link } = one(`<a href="${URL_A}"><img src="x.png"></a>`);
    expect(link.label).toBe('');
  });
});

describe('destinations', () => {
  it('turns IDN hosts into punycode', () => {
    const { link } = one(`<a href="https://bücher.example/straße">x</a>`);
    expect(link.destination).toBe('https://xn--bcher-kva.example/stra%C3%9Fe');
  });

  it('percent-encodes spaces and non-ASCII characters and keeps query and fragment exactly', () => {
    const { link } = one(`<a href="https://example.com/a b/ü?q=a b&x=%20ü&y=+&y=1#frag ment/ü">x</a>`);
    expect(link.destination).toBe('https://example.com/a%20b/%C3%BC?q=a%20b&x=%20%C3%BC&y=+&y=1#frag%20ment/%C3%BC');
  });

  it('normalises as the WHATWG URL parser does (scheme and host case, default port, dot segments, tabs)', () => {
    const { link } = one(`<a href="HTTPS://WWW.Example.COM:443/a/./b/../c?Q=1">x</a>`);
    expect(link.destination).toBe('https://www.example.com/a/c?Q=1');
    const tabbed = one(`<a href="ht&#9;tps://exam\nple.com/p">x</a>`);
    expect(tabbed.link.destination).toBe('https://example.com/p');
  });

  it('signs the destination and the index into each link token', () => {
    const r = html(`<a href="${URL_A}">a</a><a href="${URL_A}">b</a>`, { hostId: 7 });
    const tokens = hrefs(r.html).map(clickToken);
    expect(tokens.map((t) => [t.linkIndex, t.destination, t.hostId])).toEqual([
      [0, URL_A, 7],
      [1, URL_A, 7],
    ]);
  });

  it('leaves a link alone when its destination is too long for a token the click route accepts', () => {
    const long = `${URL_A}?q=${'a'.repeat(9000)}`;
    const r = html(`<a href="${long}">x</a><a href="${URL_A}">y</a>`);
    expect(r.links.map((l) => l.destination)).toEqual([URL_A]);
  });
});

describe('modes and options', () => {
  it("click 'text' and false leave the html links alone", () => {
    for (const click of ['text', false] as const) untouched(`<a href="${URL_A}">x</a>`, { click });
  });

  it('throws InstrumentOptionsError on bad options, not on bad input', () => {
    expect(() => instrument({ html: '<a' }, options({ trackingUrl: 'not a url' }))).toThrow(InstrumentOptionsError);
    expect(() => instrument({ html: '<a' }, options({ trackingUrl: 'ftp://x.example' }))).toThrow(InstrumentOptionsError);
    expect(() => instrument({ html: '<a' }, options({ emailId: 'nope' }))).toThrow(InstrumentOptionsError);
    expect(() => instrument({ html: '<a' }, options({ hostId: -1 }))).toThrow(InstrumentOptionsError);
  });

  it('returns only the parts it was given', () => {
    const r = instrument({}, options());
    expect(r).toEqual({ links: [], htmlEdits: [], textEdits: [], pixelInserted: false, trapInserted: false });
    const h = instrument({ html: undefined, text: 'x' }, options());
    expect('html' in h).toBe(false);
    expect(h.text).toBe('x');
  });

  it('puts html links first, then text links', () => {
    const r = instrument({ text: `${URL_A}/t`, html: `<a href="${URL_A}/h">x</a>` }, options());
    expect(r.links.map((l) => [l.location, l.destination])).toEqual([
      ['html', `${URL_A}/h`],
      ['text', `${URL_A}/t`],
    ]);
    expect(decodeToken(keyring, r.text!.slice(r.text!.lastIndexOf('/') + 1))).toMatchObject({ linkIndex: 1 });
  });
});

describe('never throws', () => {
  it.each([
    '',
    '<',
    '<a',
    '<a href',
    '<a href="',
    `<a href="${URL_A}`,
    `<a href=${URL_A}`,
    '<!--',
    '<!--[if mso]>',
    `<!--[if mso]><v:rect href="${URL_A}"`,
    '<![CDATA[',
    '</',
    '</a',
    '<script>',
    '<textarea><a href=x>',
    '&',
    '&#xFFFFFFFF;',
    '\u0000<a href="\u0000https://e.com/\u0000">',
    `<a href="${'x'.repeat(200_000)}">`,
    `<a ${'a '.repeat(50_000)}href="${URL_A}">`,
    '<a href="https://e.com/\uD800">lone surrogate</a>',
    '<plaintext><a href="https://e.com/">',
  ])('on %j', (input) => {
    expect(() => html(input, { open: true, pixel: 'auto' })).not.toThrow();
  });
});
