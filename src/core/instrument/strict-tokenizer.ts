import { QuoteType } from 'htmlparser2';
import { classifyTag, nameIs, TAG_OTHER } from './tag-names.js';

/**
 * A fast path in front of htmlparser2's Tokenizer for well-formed markup, which is what nearly every
 * email is made of.
 *
 * It reproduces exactly the events the Tokenizer reports (entity decoding off, HTML mode, one
 * `write` then `end`) for a strict subset of HTML: text; start tags (ASCII letter first) with any
 * attributes, quoted, unquoted or bare; end tags; `<!--` comments (the Tokenizer's `-->`, `--!>`,
 * `<!-->` and `<!--->` rules are transliterated); `<!doctype …>`; and the raw-text and RCDATA
 * elements (script, style, title, textarea, xmp, iframe, noembed, noframes), whose end tags are
 * matched by the same rules as the Tokenizer's. Anything else — a `<` that starts no tag, `</` not
 * followed by a letter, `<?`, `<!x>`, `<![CDATA[`, `<plaintext>`, or any construct left unterminated
 * at the end of the input — makes it give up (return false) before a single event is delivered, and
 * the caller tokenizes the string with htmlparser2 instead.
 *
 * Events are written to an `EventLog` and replayed by the caller, so giving up has no side effects.
 * It is faster than the Tokenizer because it never walks a tag or a name one state transition per
 * character: it jumps between `<`, quotes and `>` with `indexOf` and scans names in tight loops.
 * strict-tokenizer.test.ts checks it against the Tokenizer (event for event, and the engine's output
 * byte for byte) on the corpus and on generated and mangled HTML.
 */

/** (name start, name end, what the fast path knows of the tag: see OPEN_CLASSIFIED and OPEN_RAW_TEXT). */
export const EV_OPEN_NAME = 1;
export const EV_ATTR_NAME = 2;
export const EV_ATTR_DATA = 3;
export const EV_ATTR_END = 4;
export const EV_OPEN_END = 5;
export const EV_SELF_CLOSING = 6;
/** (name start, name end, the end tag's `>`): the Tokenizer reports only the name; the scanner wants the `>` too. */
export const EV_CLOSE = 7;
export const EV_TEXT = 8;
export const EV_COMMENT = 9;
export const EV_DECLARATION = 10;

/** Events as (kind, a, b, c) quadruples of int32. */
export class EventLog {
  data = new Int32Array(4096);
  length = 0;

  push(kind: number, a: number, b: number, c: number): void {
    let d = this.data;
    const at = this.length;
    if (at + 4 > d.length) {
      const bigger = new Int32Array(d.length * 2);
      bigger.set(d);
      this.data = d = bigger;
    }
    d[at] = kind;
    d[at + 1] = a;
    d[at + 2] = b;
    d[at + 3] = c;
    this.length = at + 4;
  }
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0c || c === 0x0d;
}

/** `/`, `>` or whitespace: what ends a tag name (the Tokenizer's isEndOfTagSection). */
function endsTagName(c: number): boolean {
  return c === 0x2f || c === 0x3e || isWhitespace(c);
}

/**
 * Not `=` nor anything that ends a tag name: the character goes on an attribute name. The stops
 * are all at or under `>` (0x3e) and names are mostly letters, above it, so one comparison settles
 * most characters (the newsletter's attribute names are about a tenth of the fast path's time).
 */
function inAttributeName(c: number): boolean {
  return c > 0x3e || (c !== 0x3d && !endsTagName(c));
}

function isAsciiAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

const codes = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));

/** The end sequences of the raw-text (false) and RCDATA (true) elements, as the Tokenizer matches them. */
const SPECIAL: readonly (readonly [string, { seq: Uint8Array; rcdata: boolean }])[] = (
  [
    ['script', false],
    ['style', false],
    ['xmp', false],
    ['iframe', false],
    ['noembed', false],
    ['noframes', false],
    ['title', true],
    ['textarea', true],
  ] as const
).map(([name, rcdata]) => [name, { seq: codes(`</${name}`), rcdata }] as const);

/** Whether a tag name of this length starting with this character (lowercased) can be one of the above or `plaintext`. */
function maybeSpecial(first: number, length: number): boolean {
  switch (first) {
    case 0x73: // script, style
      return length === 5 || length === 6;
    case 0x74: // title, textarea
      return length === 5 || length === 8;
    case 0x78: // xmp
      return length === 3;
    case 0x69: // iframe
      return length === 6;
    case 0x6e: // noembed, noframes
      return length === 7 || length === 8;
    case 0x70: // plaintext
      return length === 9;
    default:
      return false;
  }
}

const FAIL = -1;

/**
 * Bits of EV_OPEN_NAME's third value, so that the scanner need not work out again what the fast
 * path already did: with ENGINE_ATTRIBUTES(_CONDITIONAL), OPEN_CLASSIFIED and the tag's kind
 * (tag-names.ts classifyTag, in the low byte); OPEN_RAW_TEXT when the tag starts a raw-text or
 * RCDATA element (tag-names.ts isRawTextTag: `plaintext` never gets this far).
 */
export const OPEN_CLASSIFIED = 0x100;
export const OPEN_RAW_TEXT = 0x200;
export const OPEN_KIND = 0xff;

/** Which attribute events to log: all of them (as the Tokenizer reports them), or only those the engine reads. */
export const ALL_ATTRIBUTES = 0;
/** Only the attributes of the tags the engine reads them on (tag-names.ts: classifyTag), in the document… */
export const ENGINE_ATTRIBUTES = 1;
/** …or inside a conditional comment (where VML shapes count too). */
export const ENGINE_ATTRIBUTES_CONDITIONAL = 2;

/**
 * Writes the Tokenizer's events for `buf` into `log` (cleared first). Returns false, with the log in
 * any state, when `buf` is outside the subset described above. With ENGINE_ATTRIBUTES(_CONDITIONAL),
 * the attribute events of every other tag are left out (the engine ignores them; the tags
 * themselves are all there).
 */
export function tokenizeStrict(buf: string, log: EventLog, attributes = ALL_ATTRIBUTES): boolean {
  log.length = 0;
  const n = buf.length;
  let textStart = 0;
  let i = 0;
  for (;;) {
    const lt = buf.indexOf('<', i);
    if (lt === -1) {
      if (textStart < n) log.push(EV_TEXT, textStart, n, 0);
      return true;
    }
    const c = buf.charCodeAt(lt + 1);
    let next: number;
    if (isAsciiAlpha(c)) {
      if (lt > textStart) log.push(EV_TEXT, textStart, lt, 0);
      next = startTag(buf, lt + 1, log, attributes);
    } else if (c === 0x2f) {
      if (!isAsciiAlpha(buf.charCodeAt(lt + 2))) return false;
      if (lt > textStart) log.push(EV_TEXT, textStart, lt, 0);
      next = endTag(buf, lt + 2, log);
    } else if (c === 0x21) {
      if (buf.charCodeAt(lt + 2) === 0x2d && buf.charCodeAt(lt + 3) === 0x2d) {
        if (lt > textStart) log.push(EV_TEXT, textStart, lt, 0);
        next = comment(buf, lt + 4, log);
      } else if (isDoctype(buf, lt + 2)) {
        if (lt > textStart) log.push(EV_TEXT, textStart, lt, 0);
        const gt = buf.indexOf('>', lt + 9);
        if (gt === -1) return false;
        log.push(EV_DECLARATION, lt + 2, gt, 0);
        next = gt + 1;
      } else {
        return false;
      }
    } else {
      return false;
    }
    if (next === FAIL) return false;
    i = textStart = next;
  }
}

function isDoctype(buf: string, at: number): boolean {
  const want = 'doctype';
  for (let k = 0; k < 7; k++) if ((buf.charCodeAt(at + k) | 0x20) !== want.charCodeAt(k)) return false;
  return true;
}

/** `</name…>` with the name at `p`: returns the index after its `>`. */
function endTag(buf: string, p: number, log: EventLog): number {
  const n = buf.length;
  let j = p + 1;
  let c = buf.charCodeAt(j);
  while (j < n && !endsTagName(c)) c = buf.charCodeAt(++j);
  if (j >= n) return FAIL;
  const gt = c === 0x3e ? j : buf.indexOf('>', j + 1);
  if (gt === -1) return FAIL;
  log.push(EV_CLOSE, p, j, gt);
  return gt + 1;
}

/** A comment whose content starts at `start` (just after `<!--`): the Tokenizer's InCommentLike state. */
function comment(buf: string, start: number, log: EventLog): number {
  const n = buf.length;
  // `--!>`: 0x2d 0x2d 0x21 0x3e
  let si = 0;
  for (let idx = start; idx < n; idx++) {
    const c = buf.charCodeAt(idx);
    if (si <= 1 && idx === start + si && c === 0x3e) {
      log.push(EV_COMMENT, start, idx, si);
      return idx + 1;
    } else if (si === 2 && c === 0x3e) {
      log.push(EV_COMMENT, start, idx, 2);
      return idx + 1;
    } else if (si === 3 && c !== 0x3e) {
      si = c === 0x2d ? 1 : 0;
    } else if (c === (si < 2 ? 0x2d : si === 2 ? 0x21 : 0x3e)) {
      if (++si === 4) {
        log.push(EV_COMMENT, start, idx, 3);
        return idx + 1;
      }
    } else if (si === 0) {
      const dash = buf.indexOf('-', idx + 1);
      if (dash === -1) return FAIL;
      idx = dash;
      si = 1;
    } else if (c !== (si - 1 < 2 ? 0x2d : 0x21)) {
      si = 0;
    }
  }
  return FAIL;
}

/** `<name …>` with the name at `p`: returns the index where text starts again after it. */
function startTag(buf: string, p: number, log: EventLog, attributes: number): number {
  const n = buf.length;
  // Each character is read once: `c` is always the one at the position being looked at (past the
  // end, charCodeAt gives NaN, which is neither whitespace nor anything else tested for). Reading
  // it again where the Tokenizer's states meet made the fast path nearly a tenth slower.
  let j = p + 1;
  let c = buf.charCodeAt(j);
  while (j < n && !endsTagName(c)) c = buf.charCodeAt(++j);
  if (j >= n) return FAIL;
  let special: { seq: Uint8Array; rcdata: boolean } | undefined;
  if (maybeSpecial(buf.charCodeAt(p) | 0x20, j - p)) {
    if (nameIs(buf, p, j, 'plaintext')) return FAIL;
    for (const [name, s] of SPECIAL) {
      if (nameIs(buf, p, j, name)) {
        special = s;
        break;
      }
    }
  }
  let known = special === undefined ? 0 : OPEN_RAW_TEXT;
  let logAttributes = true;
  if (attributes !== ALL_ATTRIBUTES) {
    const kind = classifyTag(buf, p, j, attributes === ENGINE_ATTRIBUTES_CONDITIONAL);
    known |= OPEN_CLASSIFIED | kind;
    logAttributes = kind !== TAG_OTHER;
  }
  log.push(EV_OPEN_NAME, p, j, known);

  let k = j; // BeforeAttributeName
  for (;;) {
    if (k >= n) return FAIL;
    if (c === 0x3e) {
      log.push(EV_OPEN_END, k, 0, 0);
      k += 1;
      break;
    }
    if (c === 0x2f) {
      // InSelfClosingTag: whitespace is skipped; `>` closes; anything else is reconsumed as before an attribute name.
      c = buf.charCodeAt(++k);
      while (isWhitespace(c)) c = buf.charCodeAt(++k);
      if (k >= n) return FAIL;
      if (c === 0x3e) {
        log.push(EV_SELF_CLOSING, k, 0, 0);
        k += 1;
        break;
      }
      continue;
    }
    if (isWhitespace(c)) {
      c = buf.charCodeAt(++k);
      continue;
    }
    // InAttributeName: the first character is taken whatever it is, then up to `=`, `/`, `>` or whitespace.
    const nameStart = k;
    let m = k + 1;
    c = buf.charCodeAt(m);
    while (m < n && inAttributeName(c)) c = buf.charCodeAt(++m);
    if (m >= n) return FAIL;
    if (logAttributes) log.push(EV_ATTR_NAME, nameStart, m, 0);
    // AfterAttributeName
    let w = m;
    while (isWhitespace(c)) c = buf.charCodeAt(++w);
    if (w >= n) return FAIL;
    if (c !== 0x3d) {
      if (logAttributes) log.push(EV_ATTR_END, QuoteType.NoValue, m, 0);
      k = w; // `/`, `>` or the next attribute's name
      continue;
    }
    // BeforeAttributeValue
    let v = w + 1;
    c = buf.charCodeAt(v);
    while (isWhitespace(c)) c = buf.charCodeAt(++v);
    if (v >= n) return FAIL;
    if (c === 0x22 || c === 0x27) {
      const close = buf.indexOf(c === 0x22 ? '"' : "'", v + 1);
      if (close === -1) return FAIL;
      if (logAttributes) {
        log.push(EV_ATTR_DATA, v + 1, close, 0);
        log.push(EV_ATTR_END, c === 0x22 ? QuoteType.Double : QuoteType.Single, close + 1, 0);
      }
      k = close + 1;
      c = buf.charCodeAt(k);
      continue;
    }
    // Unquoted: up to whitespace or `>` (the character at v is not whitespace; a `>` there ends an empty value).
    let u = v;
    if (c !== 0x3e) c = buf.charCodeAt(++u);
    while (u < n && c !== 0x3e && !isWhitespace(c)) c = buf.charCodeAt(++u);
    if (u >= n) return FAIL;
    if (logAttributes) {
      log.push(EV_ATTR_DATA, v, u, 0);
      log.push(EV_ATTR_END, QuoteType.Unquoted, u, 0);
    }
    k = u;
  }
  return special === undefined ? k : rawText(buf, k, special.seq, special.rcdata, log);
}

/**
 * The content of a raw-text or RCDATA element, from `start` up to its end tag: the Tokenizer's
 * InSpecialTag state (with entity decoding off, RCDATA differs only in walking every character).
 */
function rawText(buf: string, start: number, seq: Uint8Array, rcdata: boolean, log: EventLog): number {
  const n = buf.length;
  const len = seq.length;
  let si = 0;
  for (let idx = start; idx < n; idx++) {
    const c = buf.charCodeAt(idx);
    if (si === len) {
      if (endsTagName(c)) {
        const endOfText = idx - len;
        const gt = c === 0x3e ? idx : buf.indexOf('>', idx + 1);
        if (gt === -1) return FAIL;
        if (start < endOfText) log.push(EV_TEXT, start, endOfText, 0);
        log.push(EV_CLOSE, endOfText + 2, idx, gt);
        return gt + 1;
      }
      si = 0;
    }
    if ((c | 0x20) === seq[si]) {
      si++;
    } else if (si === 0) {
      if (!rcdata) {
        const lt = buf.indexOf('<', idx + 1);
        if (lt === -1) return FAIL;
        idx = lt;
        si = 1;
      }
    } else {
      si = c === 0x3c ? 1 : 0;
    }
  }
  return FAIL;
}
