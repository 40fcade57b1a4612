import { uuidv7 } from 'uuidv7';
import { expect } from 'vitest';
import { TRAP_LINK_INDEX } from '../classification/trap.js';
import { decodeToken, parseKeyring, type ClickToken, type Keyring } from '../tokens/index.js';
import { applyEdits, instrument, undoEdits, type InstrumentOptions, type InstrumentResult, type RecordedEdit } from './index.js';

export const keyring: Keyring = parseKeyring('test:' + 'x'.repeat(32));
export const TRACKING = 'https://links.example.com';
export const CLICK_PREFIX = `${TRACKING}/v1/track/click/`;
export const OPEN_PREFIX = `${TRACKING}/v1/track/open/`;

export function options(overrides: Partial<InstrumentOptions> = {}): InstrumentOptions {
  return { open: false, click: 'html_and_text', trackingUrl: TRACKING, keyring, emailId: uuidv7(), ...overrides };
}

/** Instruments html (clicks only unless told otherwise) and checks the engine's invariants. */
export function html(input: string, overrides: Partial<InstrumentOptions> = {}): InstrumentResult & { html: string } {
  const o = options(overrides);
  const r = instrument({ html: input }, o);
  checkInvariants({ html: input }, r, o);
  return r as InstrumentResult & { html: string };
}

export function text(input: string, overrides: Partial<InstrumentOptions> = {}): InstrumentResult & { text: string } {
  const o = options(overrides);
  const r = instrument({ text: input }, o);
  checkInvariants({ text: input }, r, o);
  return r as InstrumentResult & { text: string };
}

/** Decodes the click token at the end of a tracking URL. */
export function clickToken(url: string): ClickToken {
  const token = url.slice(url.lastIndexOf('/') + 1);
  const decoded = decodeToken(keyring, token);
  if (decoded === null || decoded.kind !== 'click') throw new Error(`not a click token: ${url}`);
  return decoded;
}

/** Every href value (raw) in the output, in order. */
export function hrefs(output: string): string[] {
  return [...output.matchAll(/href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

/**
 * The invariants that hold for every input: the output is the input with the edits applied, the
 * text between edits is untouched, undoing the edits gives the input back, every minted token
 * carries the email id (or only the cohort id, in aggregate-only mode), and every tracked link's
 * token decodes to its index and destination.
 */
export function checkInvariants(
  input: { html?: string; text?: string },
  r: InstrumentResult,
  o: Pick<InstrumentOptions, 'emailId' | 'hostId' | 'trapLink' | 'aggregateCohortId'>,
): void {
  for (const part of ['html', 'text'] as const) {
    const src = input[part];
    const out = r[part];
    const edits: RecordedEdit[] = part === 'html' ? r.htmlEdits : r.textEdits;
    if (src === undefined) {
      expect(out).toBeUndefined();
      expect(edits).toEqual([]);
      continue;
    }
    expect(typeof out).toBe('string');
    expect(out).toBe(applyEdits(src, edits));
    let pos = 0;
    let outPos = 0;
    for (const e of edits) {
      expect(e.start).toBeGreaterThanOrEqual(pos);
      expect(e.end).toBeGreaterThanOrEqual(e.start);
      expect(e.original).toBe(src.slice(e.start, e.end));
      // The bytes between edits are the input's.
      const gap = src.slice(pos, e.start);
      expect(out!.slice(outPos, outPos + gap.length)).toBe(gap);
      outPos += gap.length + e.replacement.length;
      pos = e.end;
    }
    expect(out!.slice(outPos)).toBe(src.slice(pos));
    expect(undoEdits(out!, edits)).toBe(src);
  }
  // Tokens: every one carries the email id, or in aggregate-only mode the cohort id and no email id.
  const aggregate = o.aggregateCohortId !== undefined;
  const subject = aggregate ? { cohortId: o.aggregateCohortId } : { emailId: o.emailId };
  const clickKind = aggregate ? 'aggregate_click' : 'click';
  const minted = [...r.htmlEdits, ...r.textEdits].flatMap((e) => [...e.replacement.matchAll(TRACKING_TOKEN)].map((m) => m[1]!));
  for (const token of minted) {
    const t = decodeToken(keyring, token);
    expect(t?.kind).toMatch(aggregate ? /^aggregate_/ : /^(open|click)$/);
    expect(t).toMatchObject({ ...subject, hostId: o.hostId ?? 0 });
    if (aggregate) expect(t).not.toHaveProperty('emailId');
  }
  // Then the trap link's (at most one, in the html part), and one per tracked link.
  const all = [...r.htmlEdits, ...r.textEdits].flatMap((e) => [...e.replacement.matchAll(/\/v1\/track\/click\/([A-Za-z0-9_-]+)/g)].map((m) => m[1]!));
  const isTrap = (token: string) => {
    const t = decodeToken(keyring, token);
    return t?.kind === clickKind && t.linkIndex === TRAP_LINK_INDEX;
  };
  const traps = all.filter(isTrap);
  const urls = all.filter((t) => !isTrap(t));
  const firstHtmlLink = r.links.find((l) => l.location !== 'text');
  expect(r.trapInserted).toBe(o.trapLink === true && firstHtmlLink !== undefined);
  expect(traps.length).toBe(r.trapInserted ? 1 : 0);
  const trap = traps[0];
  if (trap !== undefined) {
    expect(r.htmlEdits.some((e) => e.replacement.includes(trap))).toBe(true);
    expect(decodeToken(keyring, trap)).toMatchObject({ destination: firstHtmlLink!.destination, ...subject, hostId: o.hostId ?? 0 });
  }
  expect(urls.length).toBe(r.links.length);
  r.links.forEach((link, i) => {
    expect(link.index).toBe(i);
    const t = decodeToken(keyring, urls[i]!);
    expect(t).not.toBeNull();
    expect(t).toMatchObject({ kind: clickKind, linkIndex: i, destination: link.destination, ...subject, hostId: o.hostId ?? 0 });
  });
}

/** The token of every open and click tracking URL in a text. */
export const TRACKING_TOKEN = /\/v1\/track\/(?:open|click)\/([A-Za-z0-9_-]+)/g;
