import { applyEdits } from './edits.js';
import { HtmlScanner } from './html-scanner.js';
import { LinkPolicy } from './link-policy.js';
import { resolveOptions } from './options.js';
import { pixelMarkup, pixelOffset, resolvePlacement } from './pixel.js';
import { findTextUrls } from './text-links.js';
import { normalizeLabel } from './labels.js';
import { hasPlaceholder } from './placeholders.js';
import { TrackingUrls } from './tracking-urls.js';
import { trapMarkup } from './trap.js';
import type { InstrumentInput, InstrumentOptions, InstrumentResult, RecordedEdit } from './types.js';

const scanner = new HtmlScanner();

/**
 * Instruments one email: rewrites its links to signed tracking URLs and inserts the open pixel and,
 * when asked, the trap link.
 * Pure (no I/O) and byte-preserving: the output is the input with the returned edits applied.
 */
export function instrument(input: InstrumentInput, options: InstrumentOptions): InstrumentResult {
  return instrumentWith(scanner, true, input, options);
}

/**
 * `instrument` with a given scanner, and with the shared policy (whose destinations are cached
 * across calls) or a fresh one. Not part of the module's interface: strict-tokenizer.test.ts runs
 * the reference path (htmlparser2 only, nothing cached) through it.
 */
export function instrumentWith(scanner: HtmlScanner, sharedPolicy: boolean, input: InstrumentInput, options: InstrumentOptions): InstrumentResult {
  const o = resolveOptions(options);
  const policy = sharedPolicy
    ? LinkPolicy.for(o.trackingHost, o.knownTrackingHosts, o.excludedHosts)
    : new LinkPolicy(o.trackingHost, o.knownTrackingHosts, o.excludedHosts, false);
  const urls = new TrackingUrls(o.base, o.keyring, o.tokenId, o.tokenScope, o.hostId);
  const result: InstrumentResult = { links: urls.links, htmlEdits: [], textEdits: [], pixelInserted: false, trapInserted: false };

  if (typeof input.html === 'string') {
    const html = input.html;
    if (o.clickHtml || o.open) {
      const scan = scanner.scan(html, { policy, urls, trackClicks: o.clickHtml, findPixel: o.open });
      const edits = scan.edits;
      // Only HTML links are tracked so far; the trap goes first so that 'auto' counts it.
      const first = urls.links[0];
      const trapUrl = o.trapLink && first !== undefined ? urls.trap(first.destination) : null;
      if (trapUrl !== null) {
        // Right after <body>: scanners that follow links in document order reach it first.
        insertSorted(edits, { start: pixelOffset('top', scan, html.length), end: 0, replacement: trapMarkup(trapUrl), original: '' });
        result.trapInserted = true;
      }
      if (o.open && !scan.hasPixel) {
        const markup = pixelMarkup(urls.open());
        const placement = resolvePlacement(o.pixel, o.pixel === 'auto' ? outputBytes(html, edits) + markup.length : 0);
        insertSorted(edits, { start: pixelOffset(placement, scan, html.length), end: 0, replacement: markup, original: '' });
        result.pixelInserted = true;
      }
      result.htmlEdits = edits;
    }
    result.html = applyEdits(html, result.htmlEdits);
  }

  if (typeof input.text === 'string') {
    const text = input.text;
    if (o.clickText) result.textEdits = textEdits(text, policy, urls);
    result.text = applyEdits(text, result.textEdits);
  }
  return result;
}

function textEdits(text: string, policy: LinkPolicy, urls: TrackingUrls): RecordedEdit[] {
  const edits: RecordedEdit[] = [];
  for (const found of findTextUrls(text)) {
    if (hasPlaceholder(text.slice(found.start, found.wordEnd))) continue;
    const original = text.slice(found.start, found.end);
    const destination = policy.destinationOf(original, false);
    if (destination === null) continue;
    const minted = urls.click(destination, 'text', normalizeLabel(original));
    if (minted === null) continue;
    edits.push({ start: found.start, end: found.end, replacement: minted.url, original });
  }
  return edits;
}

/** UTF-8 size of the HTML once `edits` are applied. */
function outputBytes(html: string, edits: readonly RecordedEdit[]): number {
  let bytes = Buffer.byteLength(html, 'utf8');
  for (const e of edits) bytes += Buffer.byteLength(e.replacement, 'utf8') - Buffer.byteLength(e.original, 'utf8');
  return bytes;
}

/** Inserts a zero-length edit, before any edit that starts at the same offset. */
function insertSorted(edits: RecordedEdit[], insertion: RecordedEdit): void {
  const at = insertion.start;
  insertion.end = at;
  let lo = 0;
  let hi = edits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edits[mid]!.start < at) lo = mid + 1;
    else hi = mid;
  }
  // Never inside an edit (cannot happen: the pixel and the trap go between tags, edits lie within tags).
  const before = edits[lo - 1];
  if (before !== undefined && before.end > at) {
    insertion.start = insertion.end = before.end;
  }
  edits.splice(lo, 0, insertion);
}
