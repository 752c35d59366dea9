import { useCallback, useState } from 'react';
import { useQuery } from 'urql';
import { Field, Select } from '../../components/field.tsx';
import { Pager, useCursorPages } from '../../components/pager.tsx';
import { Alert, Card, Empty, Loading, PageTitle } from '../../components/ui.tsx';
import type { RuntimePhase, RuntimeViewFragment } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import { useOnReconnect } from '../../lib/api-provider.tsx';
import { asError, describeCombined, describeTyped } from '../../lib/errors.ts';
import { navigate, useLocation } from '../../lib/router.tsx';
import { AllRuntimeEventsDoc } from '../../lib/runtime-documents.ts';
import { useLiveSubscription } from '../../lib/use-live.ts';
import { useUserId } from '../../lib/use-user-id.ts';
import { RuntimeRow } from './runtime-row.tsx';

const RuntimesDoc = graphql(`
  query AdminRuntimes($first: Int!, $after: String, $filter: RuntimeFilter) {
    runtimes(first: $first, after: $after, filter: $filter) {
      ... on RuntimeConnection {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { node { ...RuntimeView } }
      }
      ... on Error { code message }
    }
  }
`);

const PHASES = [
  ['', 'All phases'],
  ['RUNNING', 'Running'],
  ['PENDING,STARTING', 'Starting'],
  ['FAILED', 'Failed'],
  ['STOPPING,STOPPED', 'Stopped'],
  ['DELETING,DELETED', 'Deleted'],
] as const;

const PAGE = 25;

/** Every runtime, live: each event (WebSocket) replaces its row with the runtime as it is now. */
export function AdminRuntimes() {
  const { search } = useLocation();
  const phase = search.get('phase') ?? '';
  const pages = useCursorPages();
  const after = pages.after;
  const phases = phase ? (phase.split(',') as RuntimePhase[]) : null;
  const [ownerTyped, setOwnerTyped] = useState('');
  const owner = useUserId(ownerTyped);
  const filter = { phases, ownerId: owner.id, includeDeleted: phase.includes('DELETED') };
  const [{ data, error, fetching }, refetch] = useQuery({
    query: RuntimesDoc,
    variables: { first: PAGE, after, filter },
    pause: owner.unknown,
  });
  const [live, setLive] = useState<Record<string, RuntimeViewFragment>>({});
  const reread = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  useOnReconnect(reread);

  const result = data?.runtimes;
  const failure = asError(result);
  const conn = result?.__typename === 'RuntimeConnection' ? result : null;
  // Live rows that moved out of the phase filter leave the table at once.
  const rows = (conn?.edges ?? [])
    .map((e) => live[e.node.id] ?? e.node)
    .filter((r) => !phases || phases.includes(r.status.phase));

  const sub = useLiveSubscription(
    AllRuntimeEventsDoc,
    { filter: null },
    {
      cursorOf: (d) =>
        d.runtimeEvents.__typename === 'RuntimeEvent' ? d.runtimeEvents.cursor : null,
      onData: (d) => {
        const e = d.runtimeEvents;
        if (e.__typename !== 'RuntimeEvent') return;
        setLive((m) => ({ ...m, [e.runtime.id]: e.runtime }));
        // A runtime this page does not show yet (new, or newly matching the filter): read the page again.
        if (!conn?.edges.some((x) => x.node.id === e.runtime.id)) reread();
      },
    },
  );
  const setPhase = (value: string) => {
    pages.reset();
    navigate(value ? `/admin/runtimes?phase=${value}` : '/admin/runtimes', { replace: true });
  };

  return (
    <>
      <PageTitle lead="All runtimes, updated live as the orchestrator reports.">Runtimes</PageTitle>
      <div className="filters">
        <Select
          label="Phase"
          options={PHASES}
          value={phase}
          onChange={(e) => setPhase(e.target.value)}
        />
        <Field
          label="Owner"
          placeholder="Username"
          autoCapitalize="none"
          value={ownerTyped}
          onChange={(e) => {
            pages.reset();
            setOwnerTyped(e.target.value);
          }}
          error={owner.unknown ? 'No user has this username.' : null}
        />
      </div>
      <Alert kind="warning">{sub.error && `Live updates: ${sub.error}`}</Alert>
      <Card
        title={conn ? `${conn.totalCount} runtime${conn.totalCount === 1 ? '' : 's'}` : 'Runtimes'}
      >
        {fetching && !data && <Loading />}
        <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
        {conn && rows.length === 0 && <Empty>No runtimes match.</Empty>}
        {rows.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Owner</th>
                <th scope="col">Phase</th>
                <th scope="col">Message</th>
                <th scope="col">Progress</th>
                <th scope="col">Changed</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <RuntimeRow
                  key={r.id}
                  runtime={r}
                  onChanged={(n) => setLive((m) => ({ ...m, [n.id]: n }))}
                />
              ))}
            </tbody>
          </table>
        )}
        <Pager label="Runtime pages" pages={pages} pageInfo={conn?.pageInfo} />
      </Card>
    </>
  );
}
