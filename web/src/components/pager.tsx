import { useState } from 'react';

/** Cursor paging: a stack of `after` cursors, so Previous goes back exactly. */
export function useCursor() {
  const [stack, setStack] = useState<string[]>([]);
  const after = stack[stack.length - 1];
  return {
    after,
    page: stack.length + 1,
    next: (cursor: string) => setStack([...stack, cursor]),
    previous: () => setStack(stack.slice(0, -1)),
    reset: () => setStack([]),
  };
}

export function Pager({ cursor, nextCursor }: { cursor: ReturnType<typeof useCursor>; nextCursor: string | null }) {
  return (
    <div className="pager">
      <button type="button" className="button small" disabled={cursor.page === 1} onClick={cursor.previous}>
        Previous
      </button>
      <span className="muted">Page {cursor.page}</span>
      <button type="button" className="button small" disabled={nextCursor === null} onClick={() => nextCursor && cursor.next(nextCursor)}>
        Next
      </button>
    </div>
  );
}
