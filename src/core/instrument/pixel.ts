import type { Landmarks } from './html-scanner.js';
import { escapeAttribute } from './tracking-urls.js';
import type { PixelPlacement } from './types.js';

/**
 * Gmail clips a message past about 102 KB and then never loads an image below the cut. With
 * `auto`, an instrumented HTML part (links rewritten, pixel included) above this many UTF-8 bytes
 * gets its pixel at the top instead.
 */
export const AUTO_TOP_THRESHOLD_BYTES = 100_000;

/**
 * Invisible and taking no room: 1×1 by attribute and style, a block (so it adds no line box),
 * pulled back by a -1px bottom margin, transparent.
 */
export const PIXEL_STYLE =
  'display:block;width:1px;height:1px;max-width:1px;max-height:1px;margin:0 0 -1px 0;padding:0;border:0;opacity:0;overflow:hidden';

export function pixelMarkup(url: string): string {
  return `<img src="${escapeAttribute(url)}" width="1" height="1" alt="" border="0" style="${PIXEL_STYLE}" />`;
}

/**
 * Where the pixel goes, as an offset into the input.
 * - bottom: just before the last real `</body>`, else at the very end (of the content: before an
 *   unterminated comment, tag or raw-text element the document may end in, where it would be lost);
 * - top: just after the `<body …>` start tag; with no body tag, after whichever comes last of the
 *   doctype, the `<html>` start tag and `</head>` (so never before a doctype), else at the start.
 */
export function pixelOffset(placement: Exclude<PixelPlacement, 'auto'>, marks: Landmarks, length: number): number {
  if (placement === 'bottom') return marks.lastBodyClose >= 0 ? marks.lastBodyClose : Math.min(length, marks.contentEnd);
  if (marks.bodyOpenEnd >= 0) return marks.bodyOpenEnd;
  return Math.min(length, Math.max(0, marks.doctypeEnd, marks.htmlOpenEnd, marks.headCloseEnd));
}

/** `auto` decides by the size of the instrumented HTML part, pixel included. */
export function resolvePlacement(placement: PixelPlacement, outputBytes: number): Exclude<PixelPlacement, 'auto'> {
  if (placement !== 'auto') return placement;
  return outputBytes > AUTO_TOP_THRESHOLD_BYTES ? 'top' : 'bottom';
}
