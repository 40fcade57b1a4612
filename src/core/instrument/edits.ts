import type { Edit, RecordedEdit } from './types.js';

export class EditError extends RangeError {}

/**
 * Splices `edits` into `source`. The edits must be sorted by position and must not overlap
 * (an insertion, start === end, may sit at the start of a following edit).
 */
export function applyEdits(source: string, edits: readonly Edit[]): string {
  if (edits.length === 0) return source;
  let out = '';
  let pos = 0;
  for (const e of edits) {
    if (!(Number.isInteger(e.start) && Number.isInteger(e.end)) || e.start < pos || e.end < e.start || e.end > source.length) {
      throw new EditError(`edit [${e.start}, ${e.end}) is out of order, overlapping or outside the source`);
    }
    out += source.slice(pos, e.start) + e.replacement;
    pos = e.end;
  }
  return out + source.slice(pos);
}

/**
 * Gives back the input from an output made by `applyEdits(input, edits)`, using the text each
 * recorded edit replaced. Throws if the output does not hold the edits' replacements where expected.
 */
export function undoEdits(output: string, edits: readonly RecordedEdit[]): string {
  if (edits.length === 0) return output;
  let out = '';
  let inPos = 0; // position in the original input
  let outPos = 0; // matching position in the output
  for (const e of edits) {
    if (e.start < inPos || e.end < e.start) throw new EditError('edits are out of order or overlapping');
    const at = outPos + (e.start - inPos);
    if (output.slice(at, at + e.replacement.length) !== e.replacement) {
      throw new EditError(`the output does not hold the replacement of edit [${e.start}, ${e.end}) at ${at}`);
    }
    out += output.slice(outPos, at) + e.original;
    outPos = at + e.replacement.length;
    inPos = e.end;
  }
  return out + output.slice(outPos);
}
