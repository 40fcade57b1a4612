import { describe, expect, it } from 'vitest';
import { TRAP_LINK_INDEX } from '../classification/trap.js';
import { instrument } from './index.js';
import { checkInvariants, clickToken, html, options } from './instrument.test-helpers.js';
import { TRAP_STYLE } from './trap.js';

const TRAP = /<a href="(https:\/\/links\.example\.com\/v1\/track\/click\/[A-Za-z0-9_-]+)" aria-hidden="true" tabindex="-1" style="([^"]+)"><\/a>/g;

function traps(out: string): RegExpExecArray[] {
  return [...out.matchAll(TRAP)];
}

const DOC = '<!DOCTYPE html><html><head><title>t</title></head><body class="x">\n<p><a href="https://example.com/first?a=1">First</a> <a href="https://example.org/second">Second</a></p></body></html>';

describe('the trap link', () => {
  it('is one empty anchor right after <body …>, hidden from people, screen readers and the keyboard', () => {
    const r = html(DOC, { click: 'html', trapLink: true });
    expect(r.trapInserted).toBe(true);
    const found = traps(r.html);
    expect(found).toHaveLength(1);
    const [markup] = found[0]!;
    const bodyEnd = DOC.indexOf('<body class="x">') + '<body class="x">'.length;
    expect(r.html.slice(0, bodyEnd + markup.length)).toBe(DOC.slice(0, bodyEnd) + markup);
    expect(r.htmlEdits.find((e) => e.replacement === markup)).toEqual({ start: bodyEnd, end: bodyEnd, replacement: markup, original: '' });
    const style = found[0]![2]!;
    expect(style).toBe(TRAP_STYLE);
    for (const rule of ['display:none!important', 'font-size:0', 'max-height:0', 'max-width:0', 'overflow:hidden', 'mso-hide:all']) expect(style).toContain(rule);
  });

  it('carries a click token with the trap index and the first tracked link’s destination', () => {
    const o = options({ click: 'html', trapLink: true, hostId: 4 });
    const r = instrument({ html: DOC }, o);
    checkInvariants({ html: DOC }, r, o);
    const token = clickToken(traps(r.html!)[0]![1]!);
    expect(token).toEqual({ kind: 'click', emailId: o.emailId, hostId: 4, linkIndex: TRAP_LINK_INDEX, destination: 'https://example.com/first?a=1' });
  });

  it('is not one of the links, which are the same as without it', () => {
    const on = html(DOC, { click: 'html', trapLink: true });
    const off = html(DOC, { click: 'html' });
    expect(on.links).toEqual(off.links);
    expect(on.links.map((l) => l.index)).toEqual([0, 1]);
    // The output without the trap's edit is the output without the trap (same tokens: same email id).
    const o = options({ click: 'html' });
    const a = instrument({ html: DOC }, o);
    const b = instrument({ html: DOC }, { ...o, trapLink: true });
    expect(b.htmlEdits.filter((e) => !e.replacement.includes('aria-hidden'))).toEqual(a.htmlEdits);
  });

  it('is off by default', () => {
    const r = html(DOC, { click: 'html' });
    expect(r.trapInserted).toBe(false);
    expect(traps(r.html)).toEqual([]);
  });

  it('needs click tracking of the html part and a tracked link there', () => {
    for (const click of [false, 'text'] as const) {
      const r = html(DOC, { click, open: true, trapLink: true });
      expect(r.trapInserted).toBe(false);
      expect(traps(r.html)).toEqual([]);
    }
    const noLinks = html('<body><p>No links, <a href="mailto:a@example.com">mail</a></p></body>', { trapLink: true });
    expect(noLinks.trapInserted).toBe(false);
    expect(noLinks.htmlEdits).toEqual([]);
    // A link only in the text part is no reason for a trap in the html part, nor in the text part.
    const r = instrument({ html: '<body><p>Hi</p></body>', text: 'See https://example.com/t' }, options({ trapLink: true }));
    expect(r.trapInserted).toBe(false);
    expect(r.html).toBe('<body><p>Hi</p></body>');
    expect(r.text).not.toContain('aria-hidden');
    expect(r.links).toHaveLength(1);
  });

  it('never goes into the text part', () => {
    const o = options({ trapLink: true });
    const input = { html: DOC, text: 'First: https://example.com/first?a=1' };
    const r = instrument(input, o);
    checkInvariants(input, r, o);
    expect(r.textEdits).toHaveLength(1);
    expect(clickToken(r.textEdits[0]!.replacement).linkIndex).toBe(2);
  });

  it('without a body tag goes where a top pixel would: after the doctype, <html> and </head>', () => {
    const fragment = '<p><a href="https://example.com/">x</a></p>';
    const r = html(fragment, { trapLink: true });
    expect(r.html.startsWith(traps(r.html)[0]![0])).toBe(true);
    const headed = '<!doctype html><html><head><title>t</title></head><p><a href="https://example.com/">x</a></p></html>';
    const h = html(headed, { trapLink: true });
    expect(h.html.indexOf(traps(h.html)[0]![0])).toBe(headed.indexOf('</head>') + '</head>'.length);
  });

  it('sits with a top pixel right after <body>, each once, the edits sorted', () => {
    const r = html(DOC, { click: 'html', open: true, pixel: 'top', trapLink: true });
    expect(r.pixelInserted).toBe(true);
    expect(traps(r.html)).toHaveLength(1);
    const afterBody = r.html.slice(DOC.indexOf('<body class="x">') + '<body class="x">'.length);
    expect(afterBody).toMatch(/^<img [^>]+\/><a href="[^"]+" aria-hidden="true"/);
    expect(r.htmlEdits.map((e) => e.start)).toEqual([...r.htmlEdits.map((e) => e.start)].sort((a, b) => a - b));
  });

  it('is not added again when the html is instrumented a second time', () => {
    const o = options({ click: 'html', trapLink: true });
    const first = instrument({ html: DOC }, o);
    const second = instrument({ html: first.html }, o);
    expect(second.html).toBe(first.html);
    expect(second.trapInserted).toBe(false);
  });
});
