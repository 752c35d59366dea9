import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationName, stringifyDocument } from '@urql/core';
import { useEffect, useRef, useState } from 'react';
import { useViewer } from '../auth/viewer.tsx';
import { useApi } from './api-provider.tsx';
import { navigate } from './router.tsx';

export interface LiveOptions<TData> {
  /**
   * The item's resume cursor (global event id); the subscription resumes after the newest one.
   * Omit for streams without cursors (they restart from "now" after a reconnect).
   */
  cursorOf?(data: TData): string | null | undefined;
  onData(data: TData): void;
  /** Don't subscribe (yet). */
  pause?: boolean;
  /** A cursor to start from (e.g. the newest event a query already showed). */
  initialCursor?: string | null;
}

export interface LiveState {
  /** A transport or GraphQL error, in words; cleared by the next item. */
  error: string | null;
}

/**
 * A resumable subscription over graphql-ws. graphql-ws re-sends the subscribe payload on every
 * reconnect, serialising it afresh; `after` is a getter over the newest cursor seen, so after a server
 * restart the stream continues exactly where it stopped instead of replaying (or losing) events.
 * Items older than the newest cursor (a replay overlapping what we saw) are dropped.
 */
export function useLiveSubscription<TData, TVars extends object>(
  document: TypedDocumentNode<TData, TVars>,
  variables: Omit<TVars, 'after'>,
  options: LiveOptions<TData>,
): LiveState {
  const { ws } = useApi().api;
  const { refresh } = useViewer();
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(options);
  latest.current = options;
  const refreshViewer = useRef(refresh);
  refreshViewer.current = refresh;
  const key = JSON.stringify(variables);

  useEffect(() => {
    if (options.pause) return;
    let cursor: string | null = options.initialCursor ?? null;
    const vars = { ...(JSON.parse(key) as object) };
    if (latest.current.cursorOf)
      Object.defineProperty(vars, 'after', { enumerable: true, get: () => cursor });
    const dispose = ws.subscribe<TData>(
      {
        query: stringifyDocument(document),
        operationName: getOperationName(document),
        variables: vars as Record<string, unknown>,
      },
      {
        next(result) {
          if (result.errors?.length) {
            setError(result.errors.map((e) => e.message).join(' '));
            // The server ends a stream whose credential no longer holds, saying why.
            const codes = result.errors.map((e) => e.extensions?.code);
            if (codes.includes('USER_DISABLED')) navigate('/disabled', { replace: true });
            if (codes.some((c) => c === 'USER_DISABLED' || c === 'UNAUTHENTICATED'))
              refreshViewer.current();
            return;
          }
          if (!result.data) return;
          const next = latest.current.cursorOf?.(result.data as TData);
          if (next && cursor && BigInt(next) < BigInt(cursor)) return;
          if (next) cursor = next;
          setError(null);
          latest.current.onData(result.data as TData);
        },
        error(err) {
          setError(err instanceof Error ? err.message : 'The live connection failed.');
        },
        complete() {},
      },
    );
    return dispose;
  }, [ws, document, key, options.pause, options.initialCursor]);

  return { error };
}
