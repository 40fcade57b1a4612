/** Elements the engine looks at; everything else is only tokenized. */
export const TAG_OTHER = 0;
export const TAG_A = 1;
export const TAG_AREA = 2;
export const TAG_IMG = 3;
export const TAG_BODY = 4;
export const TAG_HTML = 5;
export const TAG_HEAD = 6;
/** `v:roundrect`, `v:rect`, `v:oval`, `v:shape`: VML shapes with an `href` (Outlook buttons). */
export const TAG_VML = 7;

/** Whether `buf[start, end)` is `lower` in any ASCII case. */
export function nameIs(buf: string, start: number, end: number, lower: string): boolean {
  const n = lower.length;
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) {
    let c = buf.charCodeAt(start + i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Classifies a tag name without allocating. VML shapes count only inside conditional comments. */
export function classifyTag(buf: string, start: number, end: number, inConditional: boolean): number {
  switch (end - start) {
    case 1:
      return nameIs(buf, start, end, 'a') ? TAG_A : TAG_OTHER;
    case 3:
      return nameIs(buf, start, end, 'img') ? TAG_IMG : TAG_OTHER;
    case 4:
      if (nameIs(buf, start, end, 'area')) return TAG_AREA;
      if (nameIs(buf, start, end, 'body')) return TAG_BODY;
      if (nameIs(buf, start, end, 'html')) return TAG_HTML;
      if (nameIs(buf, start, end, 'head')) return TAG_HEAD;
      return TAG_OTHER;
    case 6:
      return inConditional && (nameIs(buf, start, end, 'v:rect') || nameIs(buf, start, end, 'v:oval')) ? TAG_VML : TAG_OTHER;
    case 7:
      return inConditional && nameIs(buf, start, end, 'v:shape') ? TAG_VML : TAG_OTHER;
    case 11:
      return inConditional && nameIs(buf, start, end, 'v:roundrect') ? TAG_VML : TAG_OTHER;
    default:
      return TAG_OTHER;
  }
}

/**
 * Elements whose content the tokenizer reads as raw text up to their end tag (the same list as
 * htmlparser2's: script, style, title, textarea, xmp, iframe, noembed, noframes, plaintext).
 */
export function isRawTextTag(buf: string, start: number, end: number): boolean {
  switch (end - start) {
    case 3:
      return nameIs(buf, start, end, 'xmp');
    case 5:
      return nameIs(buf, start, end, 'style') || nameIs(buf, start, end, 'title');
    case 6:
      return nameIs(buf, start, end, 'script') || nameIs(buf, start, end, 'iframe');
    case 7:
      return nameIs(buf, start, end, 'noembed');
    case 8:
      return nameIs(buf, start, end, 'textarea') || nameIs(buf, start, end, 'noframes');
    case 9:
      return nameIs(buf, start, end, 'plaintext');
    default:
      return false;
  }
}

const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

/** Elements with no end tag: they do not nest inside a link's content. */
export function isVoidElement(lowerName: string): boolean {
  return VOID_ELEMENTS.has(lowerName);
}

const INLINE_ELEMENTS = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'big', 'cite', 'code', 'del', 'dfn', 'em', 'font', 'i', 'img', 'ins', 'kbd', 'label',
  'mark', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup', 'tt', 'u', 'var', 'o:p', 'w:anchorlock',
]);

/** Inline elements do not separate words in a label; any other tag boundary counts as a space. */
export function isInlineElement(lowerName: string): boolean {
  return INLINE_ELEMENTS.has(lowerName);
}

/** Elements whose content the tokenizer reports as text but a reader never sees as link text. */
export function isHiddenTextElement(lowerName: string): boolean {
  return lowerName === 'script' || lowerName === 'style';
}
