import { describe, expect, it } from 'vitest';
import { applyEdits, EditError, undoEdits } from './index.js';

describe('applyEdits / undoEdits', () => {
  const source = 'Hello, wide world!';
  const edits = [
    { start: 0, end: 0, replacement: '>> ', original: '' },
    { start: 7, end: 11, replacement: 'round', original: 'wide' },
    { start: 17, end: 18, replacement: '', original: '!' },
  ];

  it('splices sorted edits into the source', () => {
    expect(applyEdits(source, edits)).toBe('>> Hello, round world');
    expect(applyEdits(source, [])).toBe(source);
  });

  it('undoes recorded edits, giving the source back', () => {
    expect(undoEdits(applyEdits(source, edits), edits)).toBe(source);
  });

  it('refuses overlapping, unsorted or out-of-range edits', () => {
    expect(() => applyEdits(source, [edits[1]!, edits[0]!])).toThrow(EditError);
    expect(() => applyEdits(source, [{ start: 5, end: 9, replacement: '' }, { start: 8, end: 10, replacement: '' }])).toThrow(EditError);
    expect(() => applyEdits(source, [{ start: 5, end: 99, replacement: '' }])).toThrow(EditError);
    expect(() => applyEdits(source, [{ start: 5, end: 4, replacement: '' }])).toThrow(EditError);
  });

  it('refuses to undo edits that are not in the output', () => {
    expect(() => undoEdits('something else entirely', edits)).toThrow(EditError);
  });
});
