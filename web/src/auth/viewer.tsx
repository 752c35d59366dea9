import { createContext, type ReactNode, useCallback, useContext, useMemo } from 'react';
import { useQuery } from 'urql';
import type { ViewerQuery } from '../gql/graphql.ts';
import { graphql } from '../gql/index.ts';
import { describeCombined } from '../lib/errors.ts';

const ViewerDoc = graphql(`
  query Viewer {
    viewer {
      id
      username
      role
      isAdmin
      mustChangePassword
    }
  }
`);

export type SignedIn = NonNullable<ViewerQuery['viewer']>;

interface ViewerState {
  /** undefined while loading; null when nobody is signed in. */
  viewer: SignedIn | null | undefined;
  error: string | null;
  refresh(): void;
}

const ViewerContext = createContext<ViewerState | null>(null);

/** Who is signed in, from `viewer` (the session cookie is HttpOnly, so the server is the only source). */
export function ViewerProvider({ children }: { children: ReactNode }) {
  const [result, reexecute] = useQuery({ query: ViewerDoc, requestPolicy: 'network-only' });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const value = useMemo<ViewerState>(
    () => ({
      viewer: result.data ? result.data.viewer : result.error ? null : undefined,
      error: describeCombined(result.error),
      refresh,
    }),
    [result.data, result.error, refresh],
  );
  return <ViewerContext.Provider value={value}>{children}</ViewerContext.Provider>;
}

export function useViewer(): ViewerState {
  const value = useContext(ViewerContext);
  if (!value) throw new Error('useViewer outside ViewerProvider');
  return value;
}
