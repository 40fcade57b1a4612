/**
 * URLs in a plain-text part: `http://` or `https://` (any case) up to whitespace or a character that
 * cannot be part of a bare URL, minus trailing punctuation that belongs to the sentence: `.`, `,`,
 * `;`, `:`, `!`, `?`, quotes, `*`, `_`, `~`, and a `)`, `]` or `}` that closes nothing opened inside
 * the URL (so `https://en.wikipedia.org/wiki/Mercury_(planet)` keeps its `)`).
 */
export interface TextUrl {
  start: number;
  end: number;
  /** End of the run of non-space characters the URL is in (a placeholder may follow it directly). */
  wordEnd: number;
}

const URL_START = /https?:\/\//gi;

export function findTextUrls(text: string): TextUrl[] {
  const found: TextUrl[] = [];
  URL_START.lastIndex = 0;
  for (let m = URL_START.exec(text); m !== null; m = URL_START.exec(text)) {
    const start = m.index;
    if (start > 0 && isWordChar(text.charCodeAt(start - 1))) continue;
    let end = start + m[0].length;
    while (end < text.length && !endsUrl(text.charCodeAt(end))) end++;
    let wordEnd = end;
    while (wordEnd < text.length && !isSpace(text.charCodeAt(wordEnd))) wordEnd++;
    end = trimTrailing(text, start + m[0].length, end);
    URL_START.lastIndex = Math.max(end, start + m[0].length);
    if (end > start + m[0].length) found.push({ start, end, wordEnd });
  }
  return found;
}

function trimTrailing(text: string, min: number, end: number): number {
  let e = end;
  while (e > min) {
    const c = text.charCodeAt(e - 1);
    if (isTrailingPunctuation(c)) {
      e--;
    } else if (c === 0x29 /* ) */ || c === 0x5d /* ] */ || c === 0x7d /* } */) {
      const open = c === 0x29 ? 0x28 : c === 0x5d ? 0x5b : 0x7b;
      if (count(text, min, e, c) > count(text, min, e, open)) e--;
      else break;
    } else {
      break;
    }
  }
  return e;
}

function count(text: string, from: number, to: number, c: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === c) n++;
  return n;
}

function isTrailingPunctuation(c: number): boolean {
  switch (c) {
    case 0x2e: // .
    case 0x2c: // ,
    case 0x3b: // ;
    case 0x3a: // :
    case 0x21: // !
    case 0x3f: // ?
    case 0x27: // '
    case 0x2a: // *
    case 0x5f: // _
    case 0x7e: // ~
    case 0x2026: // …
    case 0x2019: // ’
    case 0x201d: // ”
      return true;
    default:
      return false;
  }
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isSpace(c: number): boolean {
  return (
    c <= 0x20 ||
    c === 0x7f ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Characters that end a bare URL: spaces and controls, `<`, `>`, `"`, backtick, CJK brackets and full stops. */
function endsUrl(c: number): boolean {
  if (isSpace(c)) return true;
  switch (c) {
    case 0x3c: // <
    case 0x3e: // >
    case 0x22: // "
    case 0x60: // `
    case 0x201c: // “
    case 0x201d: // ”
    case 0xff08: // （
    case 0xff09: // ）
    case 0xff0c: // ，
    case 0xff01: // ！
    case 0xff1f: // ？
      return true;
    default:
      return c >= 0x3001 && c <= 0x3011; // 、。〃〄々〆〇〈〉《》「」『』【】
  }
}
