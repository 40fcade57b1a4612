import { escapeAttribute } from './tracking-urls.js';

/**
 * Keeps the trap link from people in every client: display:none first, but some clients drop it
 * (or its !important), so the anchor is also empty, sized to nothing and clipped; Outlook for
 * Windows renders with Word, which honours display:none on few elements, hence its own mso-hide:all.
 */
export const TRAP_STYLE = 'display:none!important;font-size:0;line-height:0;max-width:0;max-height:0;overflow:hidden;mso-hide:all';

/** An empty, hidden anchor that screen readers (aria-hidden) and the keyboard (tabindex=-1) skip. */
export function trapMarkup(url: string): string {
  return `<a href="${escapeAttribute(url)}" aria-hidden="true" tabindex="-1" style="${TRAP_STYLE}"></a>`;
}
