import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import type { RuntimeViewFragment } from '../gql/graphql.ts';
import { graphql } from '../gql/index.ts';
import { autoStopNote } from '../lib/auto-stop.ts';

const RuntimeAutoStopDoc = graphql(`
  query RuntimeAutoStop($id: ID!) {
    runtime(id: $id) {
      ... on Runtime {
        id
        idleStopAt
        maxAgeStopAt
        lastActivityAt
      }
    }
  }
`);

type Deadlines = Pick<RuntimeViewFragment, 'idleStopAt' | 'maxAgeStopAt'>;

/**
 * "Stops in 12 min if idle", counting down. Activity moves the deadline without a runtime event
 * (it is written in batches, not announced), so the deadline is read again when it passes while
 * the runtime still runs, and when the tab becomes visible again (back from the workspace).
 */
export function AutoStop({ runtime }: { runtime: RuntimeViewFragment }) {
  const client = useClient();
  const [now, setNow] = useState(() => Date.now());
  const [fresh, setFresh] = useState<Deadlines | null>(null);
  const lastFetch = useRef(0);
  // A newer picture of the runtime (live update, mutation) replaces what was re-read.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on these changes only
  useEffect(() => setFresh(null), [runtime.idleStopAt, runtime.maxAgeStopAt, runtime.generation]);

  const refresh = useCallback(async () => {
    if (Date.now() - lastFetch.current < 20_000) return;
    lastFetch.current = Date.now();
    const res = await client
      .query(RuntimeAutoStopDoc, { id: runtime.id }, { requestPolicy: 'network-only' })
      .toPromise();
    const r = res.data?.runtime;
    if (r?.__typename === 'Runtime') setFresh(r);
  }, [client, runtime.id]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh]);

  const note = autoStopNote({ ...runtime, ...fresh }, now);
  useEffect(() => {
    if (note?.due) void refresh();
  }, [note?.due, refresh]);
  if (!note) return null;
  return (
    <p className="hint" data-testid="auto-stop">
      {note.text}. Using the workspace or a model call from your agent counts as activity; a stop
      keeps your data.
    </p>
  );
}
