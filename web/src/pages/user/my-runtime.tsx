import { useCallback, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useViewer } from '../../auth/viewer.tsx';
import { ProfileSelect } from '../../components/profile-select.tsx';
import { RuntimeCard } from '../../components/runtime-card.tsx';
import { Alert, Button, Card, Loading, PageTitle } from '../../components/ui.tsx';
import type { RuntimeEventViewFragment, RuntimeViewFragment } from '../../gql/graphql.ts';
import { useOnReconnect } from '../../lib/api-provider.tsx';
import { asError, describeCombined, describeTyped } from '../../lib/errors.ts';
import { navigate } from '../../lib/router.tsx';
import { MyRuntimeDoc, RuntimeStatusDoc, StartRuntimeDoc } from '../../lib/runtime-documents.ts';
import { useLiveSubscription } from '../../lib/use-live.ts';

/**
 * The user's home: their runtime, live. The query gives the first picture; the `runtimeStatus`
 * subscription (WebSocket, resumable) keeps it current — there is no polling anywhere.
 */
export function MyRuntime() {
  const [{ data, error, fetching }, refetch] = useQuery({ query: MyRuntimeDoc });
  const [start, doStart] = useMutation(StartRuntimeDoc);
  const [startError, setStartError] = useState<string | null>(null);
  const [profile, setProfile] = useState<string | null>(null);
  useOnReconnect(useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]));

  const result = data?.myRuntime;
  const failure = asError(result);
  const initial = result?.__typename === 'Runtime' ? result : null;

  const create = async () => {
    setStartError(null);
    const res = await doStart({ profile });
    const typed = asError(res.data?.startRuntime);
    if (typed) return setStartError(describeTyped(typed));
    if (res.error) return setStartError(describeCombined(res.error));
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <>
      <PageTitle lead="Your own OpenClaw agent runtime. Its status updates live.">
        My runtime
      </PageTitle>
      {fetching && !data && <Loading what="Loading your runtime" />}
      <Alert>{describeCombined(error)}</Alert>
      <Alert>{failure && describeTyped(failure)}</Alert>
      {data && !failure && !initial && (
        <Card title="No runtime yet">
          <p>
            Start your runtime to get a private OpenClaw workspace. The first start installs it,
            which can take a minute.
          </p>
          <ProfileSelect value={profile} onChange={setProfile} />
          <Button variant="primary" busy={start.fetching} onClick={create}>
            Start my runtime
          </Button>
          <Alert>{startError}</Alert>
        </Card>
      )}
      {initial && (
        <LiveRuntime
          key={initial.id}
          initial={initial}
          events={initial.events.edges.map((e) => e.node)}
          onRecreate={create}
        />
      )}
    </>
  );
}

function LiveRuntime({
  initial,
  events: initialEvents,
  onRecreate,
}: {
  initial: RuntimeViewFragment;
  events: RuntimeEventViewFragment[];
  onRecreate(): void;
}) {
  const { refresh } = useViewer();
  const [runtime, setRuntime] = useState(initial);
  const [events, setEvents] = useState(initialEvents);
  const [refusal, setRefusal] = useState<string | null>(null);
  const live = useLiveSubscription(
    RuntimeStatusDoc,
    { runtimeId: initial.id },
    {
      cursorOf: (d) =>
        d.runtimeStatus.__typename === 'RuntimeStatusUpdate' ? d.runtimeStatus.cursor : null,
      onData: (d) => {
        const item = d.runtimeStatus;
        if (item.__typename !== 'RuntimeStatusUpdate') {
          const typed = asError(item);
          setRefusal(typed ? describeTyped(typed) : 'Live updates were refused.');
          if (typed?.code === 'UNAUTHENTICATED') refresh();
          return;
        }
        setRuntime(item.runtime);
        const event = item.event;
        if (!event) return;
        setEvents((list) => [...list.filter((e) => e.cursor !== event.cursor), event].slice(-8));
        // An admin disabled this account: the server stopped the runtime and revoked the session.
        if (event.reason === 'OwnerDisabled') {
          refresh();
          navigate('/disabled', { replace: true });
        }
      },
    },
  );
  return (
    <RuntimeCard
      runtime={runtime}
      events={events}
      liveError={refusal ?? live.error}
      onChanged={setRuntime}
      onRecreate={onRecreate}
    />
  );
}
