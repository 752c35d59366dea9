import { useState } from 'react';

/**
 * Forward-only Relay paging with a history of `after` cursors, so "Previous" works on connections
 * that only page forwards (runtimes, audit).
 */
export function useCursorPages() {
  const [stack, setStack] = useState<string[]>([]);
  return {
    after: stack.at(-1) ?? null,
    page: stack.length + 1,
    next: (cursor: string) => setStack((s) => [...s, cursor]),
    previous: () => setStack((s) => s.slice(0, -1)),
    reset: () => setStack([]),
  };
}

export function Pager({
  pages,
  pageInfo,
  label,
}: {
  pages: ReturnType<typeof useCursorPages>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined;
  label: string;
}) {
  const hasNext = Boolean(pageInfo?.hasNextPage && pageInfo.endCursor);
  if (!hasNext && pages.page === 1) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        className="btn btn-secondary"
        disabled={pages.page === 1}
        onClick={pages.previous}
      >
        ← Previous
      </button>
      <span className="pager-page">Page {pages.page}</span>
      <button
        type="button"
        className="btn btn-secondary"
        disabled={!hasNext}
        onClick={() => pageInfo?.endCursor && pages.next(pageInfo.endCursor)}
      >
        Next →
      </button>
    </nav>
  );
}
