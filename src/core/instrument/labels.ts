import { decodeHTML } from 'entities';
import type { TrackedLink } from './types.js';

export const MAX_LABEL_LENGTH = 80;
/**
 * Raw text kept per link. Whitespace is collapsed only at the end, so this leaves room for
 * indentation; an unclosed `<a>` cannot make the engine gather the rest of the document.
 */
const COLLECT_LIMIT = 4096;
const WHITESPACE = /\s+/g;

/** Collapses whitespace, trims and cuts to 80 characters (never inside a surrogate pair). */
export function normalizeLabel(text: string): string {
  return truncate(needsCollapsing(text) ? text.replace(WHITESPACE, ' ').trim() : text);
}

/** Anything but single ASCII spaces between words (the common case needs no regex). */
function needsCollapsing(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  if (s.charCodeAt(0) === 0x20 || s.charCodeAt(n - 1) === 0x20) return true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20) {
      if (s.charCodeAt(i + 1) === 0x20) return true;
    } else if (c < 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) {
      return true;
    }
  }
  return false;
}

function truncate(s: string): string {
  if (s.length <= MAX_LABEL_LENGTH) return s;
  let end = MAX_LABEL_LENGTH;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end).trimEnd();
}

/**
 * Gathers the visible text of a link's content while the tokenizer walks it, then sets the link's
 * label: the text (references decoded, whitespace collapsed, 80 characters at most), else the alt
 * of an image inside the link.
 */
export class LabelCollector {
  /** Open elements inside the link (a close tag at depth 0 that is not the link's own ends it). */
  depth = 0;
  /** Inside a `<script>` or `<style>` within the link. */
  hidden = false;
  private text = '';
  private imageAlt: string | null = null;

  constructor(
    readonly link: TrackedLink,
    /** Lowercase tag name that closes the link (`a`, `v:roundrect`, …). */
    readonly closeName: string,
  ) {}

  addText(raw: string): void {
    if (this.hidden || this.text.length >= COLLECT_LIMIT) return;
    // Decoded piece by piece: a reference cut by a tag (`&am<b>p;`) is not one.
    this.text += raw.indexOf('&') === -1 ? raw : decodeHTML(raw);
  }

  /** A boundary between blocks (a `<br>`, a `<td>`, …): words on either side do not run together. */
  addBreak(): void {
    if (this.text.length > 0 && this.text.length < COLLECT_LIMIT) this.text += ' ';
  }

  addImageAlt(decodedAlt: string): void {
    if (this.imageAlt === null && decodedAlt.trim().length > 0) this.imageAlt = decodedAlt;
  }

  finish(): void {
    const label = normalizeLabel(this.text);
    this.link.label = label.length > 0 || this.imageAlt === null ? label : normalizeLabel(this.imageAlt);
  }
}
