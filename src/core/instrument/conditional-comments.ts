/**
 * Outlook conditional comments: `<!--[if mso]> … <![endif]-->`. The tokenizer reports one as a
 * single comment; its markup (VML buttons, `<a>` tags) is what Outlook renders, so the engine
 * tokenizes it again. Downlevel-revealed ones (`<!--[if !mso]><!-->…<!--<![endif]-->`) need nothing:
 * their content is outside any comment.
 */

const ENDIF = '<![endif]';

/**
 * For a comment whose content is `buf[start, contentEnd)`, the range of markup between `[if …]>`
 * and `<![endif]` (or the end of the comment) when it is a conditional comment; otherwise null.
 */
export function conditionalCommentBody(buf: string, start: number, contentEnd: number): { start: number; end: number } | null {
  // A real comment (`<!--`), not a bogus one (`<!…>`, `<?…>`).
  if (start < 4 || buf.charCodeAt(start - 1) !== 0x2d || buf.charCodeAt(start - 2) !== 0x2d || buf.charCodeAt(start - 3) !== 0x21 || buf.charCodeAt(start - 4) !== 0x3c) {
    return null;
  }
  if (contentEnd - start < 5) return null;
  if (buf.charCodeAt(start) !== 0x5b || (buf.charCodeAt(start + 1) | 0x20) !== 0x69 || (buf.charCodeAt(start + 2) | 0x20) !== 0x66) return null;
  const after = buf.charCodeAt(start + 3);
  if ((after >= 0x41 && after <= 0x5a) || (after >= 0x61 && after <= 0x7a)) return null; // `[iframe…`, not `[if …`
  const close = buf.indexOf(']>', start + 3);
  if (close === -1 || close + 2 > contentEnd) return null;
  const bodyStart = close + 2;
  // The last `<![endif]` that lies wholly in [bodyStart, contentEnd), found without slicing the body.
  const last = buf.lastIndexOf(ENDIF, contentEnd - ENDIF.length);
  if (last >= bodyStart) return { start: bodyStart, end: last };
  let endif = -1;
  const body = buf.slice(bodyStart, contentEnd);
  const anyCase = /<!\[endif\]/gi;
  for (let m = anyCase.exec(body); m !== null; m = anyCase.exec(body)) endif = m.index;
  return { start: bodyStart, end: endif === -1 ? contentEnd : bodyStart + endif };
}
