import { nameIs } from './tag-names.js';

/** Attributes the engine reads on `<a>`, `<area>`, `<img>` and VML shapes. */
export const ATTR_NONE = 0;
export const ATTR_HREF = 1;
export const ATTR_ALT = 2;
export const ATTR_SRC = 3;
/** `data-waymark-label`: explicit link label, kept in the output. */
export const ATTR_LABEL = 4;
export const ATTR_WAYMARK_TRACK = 5;
export const ATTR_CLICKTRACKING = 6;
export const ATTR_SES_NO_TRACK = 7;
export const ATTR_DISABLE_TRACKING = 8;
export const ATTR_MSYS_CLICKTRACK = 9;
export const ATTR_MC_DISABLE_TRACKING = 10;
export const ATTR_COUNT = 11;

const BY_NAME = new Map<string, number>([
  ['href', ATTR_HREF],
  ['alt', ATTR_ALT],
  ['src', ATTR_SRC],
  ['data-waymark-label', ATTR_LABEL],
  ['data-waymark-track', ATTR_WAYMARK_TRACK],
  ['clicktracking', ATTR_CLICKTRACKING],
  ['ses:no-track', ATTR_SES_NO_TRACK],
  ['disable-tracking', ATTR_DISABLE_TRACKING],
  ['data-msys-clicktrack', ATTR_MSYS_CLICKTRACK],
  ['mc:disable-tracking', ATTR_MC_DISABLE_TRACKING],
]);

/**
 * The names by length: most attributes (style, width, class…) are ruled out by length alone, and
 * the rest are compared in place, without slicing and lowercasing the name.
 */
const BY_LENGTH: [string, number][][] = [];
for (const [name, attr] of BY_NAME) (BY_LENGTH[name.length] ??= []).push([name, attr]);

/** Classifies the attribute name `buf[start, end)` (any case, as `toLowerCase` folds it). */
export function classifyAttribute(buf: string, start: number, end: number): number {
  const candidates = BY_LENGTH[end - start];
  if (candidates === undefined) return ATTR_NONE;
  for (const [name, attr] of candidates) if (nameIs(buf, start, end, name)) return attr;
  // A name with a non-ASCII character can still lowercase to one of ours (U+212A KELVIN SIGN
  // becomes `k`): that has always matched, through toLowerCase, and still does.
  for (let i = start; i < end; i++) {
    if (buf.charCodeAt(i) >= 0x80) return BY_NAME.get(buf.slice(start, end).toLowerCase()) ?? ATTR_NONE;
  }
  return ATTR_NONE;
}
