import { QuoteType, type Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import {
  ATTR_ALT,
  ATTR_COUNT,
  ATTR_HREF,
  ATTR_LABEL,
  ATTR_NONE,
  ATTR_SRC,
  classifyAttribute,
} from './attributes.js';
import { conditionalCommentBody } from './conditional-comments.js';
import { createTokenizer } from './fast-tokenizer.js';
import { decodeAttributeValue } from './destination.js';
import { LabelCollector, normalizeLabel } from './labels.js';
import type { LinkPolicy } from './link-policy.js';
import { OPT_OUT_RULES } from './opt-out.js';
import {
  classifyTag,
  isHiddenTextElement,
  isInlineElement,
  isRawTextTag,
  isVoidElement,
  nameIs,
  TAG_A,
  TAG_AREA,
  TAG_BODY,
  TAG_HTML,
  TAG_IMG,
  TAG_OTHER,
  TAG_VML,
} from './tag-names.js';
import type { TrackingUrls } from './tracking-urls.js';
import type { RecordedEdit } from './types.js';
import {
  EV_ATTR_DATA,
  EV_ATTR_END,
  EV_ATTR_NAME,
  EV_CLOSE,
  EV_COMMENT,
  EV_DECLARATION,
  EV_OPEN_END,
  EV_OPEN_NAME,
  EV_SELF_CLOSING,
  EV_TEXT,
  ENGINE_ATTRIBUTES,
  ENGINE_ATTRIBUTES_CONDITIONAL,
  EventLog,
  OPEN_CLASSIFIED,
  OPEN_KIND,
  OPEN_RAW_TEXT,
  tokenizeStrict,
} from './strict-tokenizer.js';

const HREF = /href/i;

/** Conditional comments cannot nest, but an unterminated one inside another can; bound it anyway. */
const MAX_CONDITIONAL_DEPTH = 4;

/** Where things are in the document, for placing the pixel. -1: not found. */
export interface Landmarks {
  /** Just after the first `<body …>` start tag. */
  bodyOpenEnd: number;
  /** The `<` of the last `</body>` end tag. */
  lastBodyClose: number;
  /** Just after the first `<html …>` start tag. */
  htmlOpenEnd: number;
  /** Just after the first `</head>` end tag. */
  headCloseEnd: number;
  /** Just after the doctype. */
  doctypeEnd: number;
  /**
   * Just after the last complete token of the document: its end, unless it ends inside an
   * unterminated comment, tag or raw-text element, in which case this is where that begins.
   */
  contentEnd: number;
}

export interface ScanRequest {
  policy: LinkPolicy;
  urls: TrackingUrls;
  /** Rewrite `<a>`/`<area>`/VML links and remove opt-out attributes. */
  trackClicks: boolean;
  /** Look for an `<img>` that already is a Waymark open pixel. */
  findPixel: boolean;
}

export interface ScanResult extends Landmarks {
  /** In document order: sorted and non-overlapping. */
  edits: RecordedEdit[];
  hasPixel: boolean;
}

function isHtmlWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/**
 * Walks an HTML string token by token and records the splices that instrument it. The tokens are
 * htmlparser2's Tokenizer's (entity decoding off, so text and attribute values are skipped over in
 * bulk; see fast-tokenizer.ts); for well-formed markup they come from strict-tokenizer.ts, which
 * reports the same events about twice as fast, and htmlparser2 tokenizes whatever it gives up on. Nothing is parsed into a tree: every offset points into the input, whose other bytes are left
 * as they are.
 *
 * One instance serves many documents (the tokenizers and callback object are reused); it is not
 * re-entrant.
 */
export class HtmlScanner implements TokenizerCallbacks {
  private req: ScanRequest | null = null;
  private edits: RecordedEdit[] = [];
  private hasPixel = false;
  private marks: Landmarks = HtmlScanner.noLandmarks();

  /** The string being tokenized (the document, or a conditional comment's body) and its offset in the document. */
  private buf = '';
  private shift = 0;
  /** 0 in the document, 1+ inside conditional comments. */
  private depth = 0;
  private readonly tokenizers: Tokenizer[] = [];
  /** One event log per depth, for the strict fast path (strict-tokenizer.ts). */
  private readonly logs: EventLog[] = [];
  /** How many strings (documents or conditional comments) went through each path (for tests and benchmarks). */
  readonly paths = { strict: 0, htmlparser2: 0 };

  /**
   * `strict: false` always tokenizes with htmlparser2 (the reference the strict fast path is tested
   * against); by default, well-formed markup goes through the fast path and the rest through
   * htmlparser2.
   */
  constructor(private readonly options: { strict?: boolean } = {}) {}

  // The start tag being read.
  private tagKind = TAG_OTHER;
  private tagNameStart = 0;
  private tagNameEnd = 0;
  /** The tag starts a raw-text element (in the document). */
  private tagRawText = false;
  /** Inside a raw-text element of the document. */
  private inRawText = false;
  /**
   * The document's tokenizer is flushing what is left at its end: text it reports then may be an
   * unterminated tag (`<x`, `</a b`) rather than text, so it does not move `contentEnd`.
   */
  private ending = false;
  private attr = ATTR_NONE;
  private attrNameStart = 0;
  private valueStart = -1;
  private valueEnd = -1;
  // The first occurrence of each attribute of interest in that tag (later duplicates are ignored, as in a browser).
  private readonly seen = new Uint8Array(ATTR_COUNT);
  private readonly nameStart = new Int32Array(ATTR_COUNT);
  private readonly vStart = new Int32Array(ATTR_COUNT);
  private readonly vEnd = new Int32Array(ATTR_COUNT);
  private readonly aEnd = new Int32Array(ATTR_COUNT);
  private readonly quote = new Uint8Array(ATTR_COUNT);

  // The link whose label is being read: one in the document, one in conditional comments.
  private documentLabel: LabelCollector | null = null;
  private conditionalLabel: LabelCollector | null = null;

  private static noLandmarks(): Landmarks {
    return { bodyOpenEnd: -1, lastBodyClose: -1, htmlOpenEnd: -1, headCloseEnd: -1, doctypeEnd: -1, contentEnd: 0 };
  }

  scan(html: string, req: ScanRequest): ScanResult {
    if (this.req !== null) return new HtmlScanner(this.options).scan(html, req); // re-entered: use a fresh one
    this.req = req;
    this.edits = [];
    this.hasPixel = false;
    this.marks = HtmlScanner.noLandmarks();
    this.inRawText = false;
    this.documentLabel = null;
    this.conditionalLabel = null;
    try {
      this.tokenize(html, 0, 0);
      this.finishLabel(false);
      this.finishLabel(true);
      return { ...this.marks, edits: this.edits, hasPixel: this.hasPixel };
    } finally {
      this.req = null;
      this.edits = [];
      this.buf = '';
      this.documentLabel = null;
      this.conditionalLabel = null;
    }
  }

  private tokenize(str: string, shift: number, depth: number): void {
    const outer = { buf: this.buf, shift: this.shift, depth: this.depth };
    this.buf = str;
    this.shift = shift;
    this.depth = depth;
    this.tagKind = TAG_OTHER;
    this.attr = ATTR_NONE;
    try {
      let log: EventLog | undefined;
      if (this.options.strict !== false) {
        log = this.logs[depth];
        if (log === undefined) this.logs[depth] = log = new EventLog();
      }
      if (log !== undefined && tokenizeStrict(str, log, depth > 0 ? ENGINE_ATTRIBUTES_CONDITIONAL : ENGINE_ATTRIBUTES)) {
        this.paths.strict++;
        this.replay(log);
      } else {
        this.paths.htmlparser2++;
        let tokenizer = this.tokenizers[depth];
        if (tokenizer === undefined) {
          tokenizer = createTokenizer(this);
          this.tokenizers[depth] = tokenizer;
        }
        tokenizer.reset();
        tokenizer.write(str);
        if (depth === 0) this.ending = true;
        tokenizer.end();
      }
    } finally {
      if (depth === 0) this.ending = false;
      this.buf = outer.buf;
      this.shift = outer.shift;
      this.depth = outer.depth;
      this.tagKind = TAG_OTHER;
      this.attr = ATTR_NONE;
    }
  }

  /** Delivers the events of the strict fast path, as the Tokenizer would have. */
  private replay(log: EventLog): void {
    const d = log.data;
    const n = log.length;
    for (let i = 0; i < n; i += 4) {
      const a = d[i + 1]!;
      const b = d[i + 2]!;
      switch (d[i]) {
        case EV_TEXT:
          this.ontext(a, b);
          break;
        case EV_OPEN_NAME: {
          const known = d[i + 3]!;
          if ((known & OPEN_CLASSIFIED) === 0) this.onopentagname(a, b);
          else this.openTagName(a, b, known & OPEN_KIND, (known & OPEN_RAW_TEXT) !== 0);
          break;
        }
        case EV_ATTR_NAME:
          this.onattribname(a, b);
          break;
        case EV_ATTR_DATA:
          this.onattribdata(a, b);
          break;
        case EV_ATTR_END:
          this.onattribend(a as QuoteType, b);
          break;
        case EV_OPEN_END:
          this.onopentagend(a);
          break;
        case EV_SELF_CLOSING:
          this.onselfclosingtag(a);
          break;
        case EV_CLOSE:
          this.closeTag(a, b, d[i + 3]!);
          break;
        case EV_COMMENT:
          this.oncomment(a, b, d[i + 3]!);
          break;
        case EV_DECLARATION:
          this.ondeclaration(a, b);
          break;
      }
    }
  }

  // ---- tokenizer callbacks -------------------------------------------------------------------

  onopentagname(start: number, end: number): void {
    this.openTagName(start, end, classifyTag(this.buf, start, end, this.depth > 0), isRawTextTag(this.buf, start, end));
  }

  /** A start tag's name, `buf[start, end)`, of this kind (classifyTag), starting a raw-text element or not (isRawTextTag). */
  private openTagName(start: number, end: number, kind: number, rawText: boolean): void {
    this.tagKind = kind;
    this.tagNameStart = start;
    this.tagNameEnd = end;
    this.tagRawText = this.depth === 0 && rawText;
    this.attr = ATTR_NONE;
    if (kind !== TAG_OTHER) this.seen.fill(0);
  }

  onattribname(start: number, end: number): void {
    if (this.tagKind === TAG_OTHER) return;
    this.attr = classifyAttribute(this.buf, start, end);
    this.attrNameStart = start;
    this.valueStart = -1;
    this.valueEnd = -1;
  }

  onattribdata(start: number, end: number): void {
    if (this.attr === ATTR_NONE) return;
    if (this.valueStart < 0) this.valueStart = start;
    this.valueEnd = end;
  }

  onattribentity(): void {}

  onattribend(quote: QuoteType, end: number): void {
    const a = this.attr;
    if (a === ATTR_NONE) return;
    this.attr = ATTR_NONE;
    if (this.seen[a] === 1) return;
    this.seen[a] = 1;
    this.nameStart[a] = this.attrNameStart;
    this.vStart[a] = this.valueStart;
    this.vEnd[a] = this.valueEnd;
    this.aEnd[a] = end;
    this.quote[a] = quote;
  }

  onopentagend(end: number): void {
    this.endOfStartTag(end, false);
  }

  onselfclosingtag(end: number): void {
    this.endOfStartTag(end, true);
  }

  onclosetag(start: number, end: number): void {
    this.closeTag(start, end, this.buf.indexOf('>', end));
  }

  /** An end tag whose name is `buf[start, end)` and whose `>` is at `gt` (-1: none). */
  private closeTag(start: number, end: number, gt: number): void {
    const buf = this.buf;
    if (this.depth === 0) {
      this.inRawText = false;
      if (gt !== -1) {
        this.marks.contentEnd = gt + 1;
        if (nameIs(buf, start, end, 'body')) {
          if (start >= 2 && buf.charCodeAt(start - 2) === 0x3c) this.marks.lastBodyClose = start - 2;
        } else if (this.marks.headCloseEnd < 0 && nameIs(buf, start, end, 'head')) {
          this.marks.headCloseEnd = gt + 1;
        }
      }
    }
    const label = this.currentLabel();
    if (label === null) return;
    if (label.hidden) {
      label.hidden = false; // the end tag of the <script>/<style> inside the link
      return;
    }
    const name = buf.slice(start, end).toLowerCase();
    if (name === label.closeName) {
      this.finishLabel(this.depth > 0);
      return;
    }
    if (isVoidElement(name)) return;
    if (!isInlineElement(name)) label.addBreak();
    if (label.depth > 0) label.depth--;
    else this.finishLabel(this.depth > 0); // an enclosing element closed: so did the link
  }

  ontext(start: number, end: number): void {
    if (start < 0) return; // left over from an unterminated end tag
    if (this.depth === 0 && !this.inRawText && !this.ending) this.marks.contentEnd = end;
    const label = this.currentLabel();
    if (label !== null) label.addText(this.buf.slice(start, end));
  }

  ontextentity(): void {}

  oncomment(start: number, end: number, offset: number): void {
    if (this.depth === 0 && end < this.buf.length) this.marks.contentEnd = end + 1; // terminated: `end` is its `>`
    const req = this.req;
    if (req === null || !req.trackClicks || this.depth >= MAX_CONDITIONAL_DEPTH) return;
    const body = conditionalCommentBody(this.buf, start, end - offset);
    if (body === null || body.end <= body.start) return;
    const markup = this.buf.slice(body.start, body.end);
    // Most conditional comments only open or close Outlook's layout tables: nothing to do in one
    // with no href, unless a link's label runs on into it.
    if (this.conditionalLabel === null && !HREF.test(markup)) return;
    this.tokenize(markup, this.shift + body.start, this.depth + 1);
  }

  oncdata(): void {}

  ondeclaration(_start: number, end: number): void {
    if (this.depth !== 0) return;
    if (this.marks.doctypeEnd < 0) this.marks.doctypeEnd = end + 1;
    this.marks.contentEnd = end + 1;
  }

  onprocessinginstruction(): void {}

  onend(): void {}

  // ---- start tags ----------------------------------------------------------------------------

  private currentLabel(): LabelCollector | null {
    return this.depth > 0 ? this.conditionalLabel : this.documentLabel;
  }

  private endOfStartTag(end: number, selfClosing: boolean): void {
    const kind = this.tagKind;
    this.tagKind = TAG_OTHER;
    const req = this.req!;
    const inConditional = this.depth > 0;
    if (!inConditional) {
      if (this.tagRawText) this.inRawText = true;
      else this.marks.contentEnd = end + 1;
    }
    if (kind === TAG_A || kind === TAG_VML) {
      if (!req.trackClicks) return;
      this.finishLabel(inConditional); // a new link ends the previous one
      this.linkTag(kind, selfClosing);
      return;
    }
    if (kind === TAG_AREA) {
      if (req.trackClicks) this.linkTag(kind, true);
      return;
    }
    const label = this.currentLabel();
    if (label !== null) this.tagInsideLink(label, selfClosing);
    switch (kind) {
      case TAG_IMG:
        this.image(label, req);
        break;
      case TAG_BODY:
        if (!inConditional && this.marks.bodyOpenEnd < 0) this.marks.bodyOpenEnd = end + 1;
        break;
      case TAG_HTML:
        if (!inConditional && this.marks.htmlOpenEnd < 0) this.marks.htmlOpenEnd = end + 1;
        break;
    }
  }

  private tagInsideLink(label: LabelCollector, selfClosing: boolean): void {
    const name = this.buf.slice(this.tagNameStart, this.tagNameEnd).toLowerCase();
    if (!isInlineElement(name)) label.addBreak();
    if (isHiddenTextElement(name)) {
      label.hidden = true;
      return;
    }
    if (!selfClosing && !isVoidElement(name)) label.depth++;
  }

  private image(label: LabelCollector | null, req: ScanRequest): void {
    if (label !== null && this.hasValue(ATTR_ALT)) {
      label.addImageAlt(decodeAttributeValue(this.value(ATTR_ALT)));
    }
    if (req.findPixel && !this.hasPixel && this.depth === 0 && this.hasValue(ATTR_SRC)) {
      if (req.policy.isOpenPixelUrl(decodeAttributeValue(this.value(ATTR_SRC)))) this.hasPixel = true;
    }
  }

  /** The attribute was in the tag, with a value (`=`). */
  private hasValue(attr: number): boolean {
    return this.seen[attr] === 1 && this.vStart[attr]! >= 0;
  }

  /** The attribute's raw value (character references not decoded). */
  private value(attr: number): string {
    return this.buf.slice(this.vStart[attr], this.vEnd[attr]);
  }

  private linkTag(kind: number, selfClosing: boolean): void {
    const req = this.req!;
    // Opt-out: the attribute that opts the link out goes, and the link stays as it is.
    let removals: RecordedEdit[] | null = null;
    for (const rule of OPT_OUT_RULES) {
      const a = rule.attribute;
      if (this.seen[a] !== 1) continue;
      const value = this.hasValue(a) ? decodeAttributeValue(this.value(a)) : null;
      if (rule.optsOut(value)) (removals ??= []).push(this.removal(a));
    }
    if (removals !== null) {
      removals.sort((x, y) => x.start - y.start);
      for (const r of removals) this.edits.push(r);
      return;
    }

    if (!this.hasValue(ATTR_HREF)) return;
    const start = this.vStart[ATTR_HREF]!;
    const end = this.vEnd[ATTR_HREF]!;
    const raw = this.buf.slice(start, end);
    const destination = req.policy.destinationOf(raw, true);
    if (destination === null) return;
    const minted = req.urls.click(destination, kind === TAG_VML ? 'vml' : 'html');
    if (minted === null) return;
    let replacement = minted.htmlUrl;
    if (this.quote[ATTR_HREF] === QuoteType.Unquoted && req.urls.htmlNeedsQuotes) replacement = `"${replacement}"`;
    this.edits.push({ start: start + this.shift, end: end + this.shift, replacement, original: raw });

    const link = minted.link;
    if (this.seen[ATTR_LABEL] === 1) {
      link.label = this.hasValue(ATTR_LABEL) ? normalizeLabel(decodeAttributeValue(this.value(ATTR_LABEL))) : '';
    } else if (kind === TAG_AREA) {
      link.label = this.hasValue(ATTR_ALT) ? normalizeLabel(decodeAttributeValue(this.value(ATTR_ALT))) : '';
    } else if (kind === TAG_VML && selfClosing) {
      link.label = '';
    } else {
      const closeName = kind === TAG_A ? 'a' : this.buf.slice(this.tagNameStart, this.tagNameEnd).toLowerCase();
      const collector = new LabelCollector(link, closeName);
      if (this.depth > 0) this.conditionalLabel = collector;
      else this.documentLabel = collector;
    }
  }

  /** Removes an attribute together with the whitespace before it. */
  private removal(attr: number): RecordedEdit {
    let start = this.nameStart[attr]!;
    const end = this.aEnd[attr]!;
    while (start > this.tagNameEnd && isHtmlWhitespace(this.buf.charCodeAt(start - 1))) start--;
    return { start: start + this.shift, end: end + this.shift, replacement: '', original: this.buf.slice(start, end) };
  }

  private finishLabel(inConditional: boolean): void {
    const label = inConditional ? this.conditionalLabel : this.documentLabel;
    if (label === null) return;
    label.finish();
    if (inConditional) this.conditionalLabel = null;
    else this.documentLabel = null;
  }
}
