/**
 * Template placeholders that a sender fills in after we have seen the message. A URL holding one
 * is left alone, since its final form is unknown (and rewriting it would break the template).
 *
 * Detected: `{{…}}` / `{{{…}}}`, `{%…%}`, `${…}`, `[[…]]`, `<%…%>`, `*|…|*`, `%%…%%` by their
 * opening marks alone (a URL cut short in a text part may have lost the closing mark, and none of
 * these openings occurs in a real URL), and `%name%` merge tags, told apart from percent-escapes
 * such as `%E2%80%99`.
 */
const MAY_OPEN = /[{$[<*%]/;

export function hasPlaceholder(s: string): boolean {
  if (!MAY_OPEN.test(s)) return false;
  const n = s.length;
  for (let i = 0; i < n - 1; i++) {
    const c = s.charCodeAt(i);
    const d = s.charCodeAt(i + 1);
    switch (c) {
      case 0x7b: // {  -> {{ {%
        if (d === 0x7b || d === 0x25) return true;
        break;
      case 0x24: // $  -> ${
        if (d === 0x7b) return true;
        break;
      case 0x5b: // [  -> [[
        if (d === 0x5b) return true;
        break;
      case 0x3c: // <  -> <%
        if (d === 0x25) return true;
        break;
      case 0x2a: // *  -> *|
        if (d === 0x7c) return true;
        break;
      case 0x25: // %
        if (d === 0x25) return true; // %% (never valid in a URL)
        if (isMergeTag(s, i)) return true;
        break;
    }
  }
  return false;
}

/**
 * `%name%` at `i`: a name of letters, digits and `_` closed by `%`.
 * - A name that does not start like a percent-escape (two hex digits) counts if it starts with a
 *   letter or `_`: `%email%`, `%FIRSTNAME%`, `%_id%`.
 * - One that does must look like a word, not like escapes and encoded text: two letters first (an
 *   escape with a digit, `%26r%3D`, is never a name), at least three characters, a letter past `f`
 *   or a `_` somewhere, and its letters all in one case: `%ADDRESS%`, `%address%` and `%date%`
 *   count; `%E2%80%99`, `%A0A%00`, `%26r%3D` and the `%AFve%` of `na%C3%AFve%20` do not.
 */
function isMergeTag(s: string, i: number): boolean {
  const n = s.length;
  const first = s.charCodeAt(i + 1);
  let j = i + 1;
  let upper = false;
  let lower = false;
  let beyondHex = false;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c >= 0x41 && c <= 0x5a) {
      upper = true;
      if (c > 0x46) beyondHex = true;
    } else if (c >= 0x61 && c <= 0x7a) {
      lower = true;
      if (c > 0x66) beyondHex = true;
    } else if (c === 0x5f) {
      beyondHex = true;
    } else if (!isDigit(c)) {
      break;
    }
    j++;
  }
  if (j >= n || s.charCodeAt(j) !== 0x25 || j === i + 1) return false;
  if (!(isHex(first) && isHex(s.charCodeAt(i + 2)))) return isAsciiLetter(first) || first === 0x5f;
  return isAsciiLetter(first) && isAsciiLetter(s.charCodeAt(i + 2)) && j - i - 1 >= 3 && beyondHex && !(upper && lower);
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
