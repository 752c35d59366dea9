import { useEffect, useState } from 'react';
import { type Client, useClient } from 'urql';
import { FindUserDoc } from './user-documents.ts';

/** The id of the user called exactly `username` (case-insensitive), or null. */
export async function findUserId(client: Client, username: string): Promise<string | null> {
  const name = username.trim().toLowerCase();
  if (!name) return null;
  const res = await client
    .query(FindUserDoc, { search: name }, { requestPolicy: 'network-only' })
    .toPromise();
  const edges = res.data?.users.__typename === 'QueryUsersSuccess' ? res.data.users.data.edges : [];
  return edges.find((e) => e.node.username.toLowerCase() === name)?.node.id ?? null;
}

/** A typed username → that user's id (after a pause in typing); `unknown` when nobody matches. */
export function useUserId(typed: string): { id: string | null; unknown: boolean } {
  const client = useClient();
  const [state, setState] = useState<{ id: string | null; unknown: boolean }>({
    id: null,
    unknown: false,
  });
  useEffect(() => {
    if (!typed.trim()) return setState({ id: null, unknown: false });
    const t = setTimeout(async () => {
      const id = await findUserId(client, typed);
      setState({ id, unknown: id === null });
    }, 300);
    return () => clearTimeout(t);
  }, [typed, client]);
  return state;
}
