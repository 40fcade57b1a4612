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

/** Which name lengths can match at all: most attributes (style, width, class…) are ruled out by length alone. */
const LENGTHS = new Uint8Array(64);
for (const name of BY_NAME.keys()) LENGTHS[name.length] = 1;

/** Classifies the attribute name `buf[start, end)` (any ASCII case). */
export function classifyAttribute(buf: string, start: number, end: number): number {
  const len = end - start;
  if (len >= LENGTHS.length || LENGTHS[len] !== 1) return ATTR_NONE;
  return BY_NAME.get(buf.slice(start, end).toLowerCase()) ?? ATTR_NONE;
}
