import { useCallback, useRef } from 'react';
import { useQuery } from 'urql';
import { PhaseBadge } from '../../components/phase-badge.tsx';
import { Alert, Card, Loading, PageTitle } from '../../components/ui.tsx';
import { graphql } from '../../gql/index.ts';
import { useOnReconnect } from '../../lib/api-provider.tsx';
import { describeCombined } from '../../lib/errors.ts';
import { formatRelative } from '../../lib/format.ts';
import { Link } from '../../lib/router.tsx';
import { AllRuntimeEventsDoc } from '../../lib/runtime-documents.ts';
import { useLiveSubscription } from '../../lib/use-live.ts';

const OverviewDoc = graphql(`
  query AdminOverview {
    all: runtimes(first: 1) {
      ... on RuntimeConnection { totalCount }
    }
    running: runtimes(first: 1, filter: { phases: [RUNNING] }) {
      ... on RuntimeConnection { totalCount }
    }
    starting: runtimes(first: 1, filter: { phases: [PENDING, STARTING] }) {
      ... on RuntimeConnection { totalCount }
    }
    failed: runtimes(first: 5, filter: { phases: [FAILED] }) {
      ... on RuntimeConnection {
        totalCount
        edges { node { id owner { username } status { phase message lastError } } }
      }
    }
    users(first: 100) {
      ... on QueryUsersSuccess { data { pageInfo { hasNextPage } edges { node { id status } } } }
    }
    invitations {
      ... on QueryInvitationsSuccess { data { id state expiresAt usernameLock email } }
    }
  }
`);

/** Live counts: every runtime event (over the WebSocket) triggers one debounced re-read. */
export function AdminOverview() {
  const [{ data, error, fetching }, refetch] = useQuery({ query: OverviewDoc });
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const reread = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => refetch({ requestPolicy: 'network-only' }), 300);
  }, [refetch]);
  useOnReconnect(reread);
  const live = useLiveSubscription(
    AllRuntimeEventsDoc,
    { filter: null },
    {
      cursorOf: (d) =>
        d.runtimeEvents.__typename === 'RuntimeEvent' ? d.runtimeEvents.cursor : null,
      onData: reread,
    },
  );

  const users = data?.users.__typename === 'QueryUsersSuccess' ? data.users.data : null;
  const activeUsers = users?.edges.filter((e) => e.node.status === 'ACTIVE').length ?? 0;
  const more = users?.pageInfo.hasNextPage ? '+' : '';
  const invitations =
    data?.invitations.__typename === 'QueryInvitationsSuccess' ? data.invitations.data : [];
  const pending = invitations.filter((i) => i.state === 'VALID');
  const failed = conn(data?.failed);

  return (
    <>
      <PageTitle lead="What is happening on this ClawLoops, live.">Overview</PageTitle>
      {fetching && !data && <Loading />}
      <Alert>{describeCombined(error)}</Alert>
      <Alert kind="warning">{live.error && `Live updates: ${live.error}`}</Alert>
      {data && (
        <ul className="stats" aria-label="Counts">
          <Stat
            label="Users"
            value={`${users?.edges.length ?? '—'}${more}`}
            note={`${activeUsers}${more} active`}
            to="/admin/users"
          />
          <Stat
            label="Running"
            value={conn(data.running)?.totalCount}
            note={`${conn(data.starting)?.totalCount ?? 0} starting · ${conn(data.all)?.totalCount ?? 0} in all`}
            to="/admin/runtimes"
          />
          <Stat
            label="Failed"
            value={failed?.totalCount}
            tone={failed?.totalCount ? 'bad' : undefined}
            to="/admin/runtimes?phase=FAILED"
          />
          <Stat label="Pending invitations" value={pending.length} to="/admin/invitations" />
        </ul>
      )}
      {failed && failed.edges.length > 0 && (
        <Card title="Failed runtimes">
          <ul className="plain-list">
            {failed.edges.map(({ node }) => (
              <li key={node.id}>
                <PhaseBadge phase={node.status.phase} /> <strong>{node.owner.username}</strong>:{' '}
                {node.status.lastError || node.status.message}
              </li>
            ))}
          </ul>
        </Card>
      )}
      {pending.length > 0 && (
        <Card title="Invitations waiting to be accepted">
          <ul className="plain-list">
            {[...pending]
              .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt))
              .slice(0, 5)
              .map((i) => (
                <li key={i.id}>
                  {i.usernameLock ?? i.email ?? 'Open invitation'} — expires{' '}
                  {formatRelative(i.expiresAt)}
                </li>
              ))}
          </ul>
        </Card>
      )}
    </>
  );
}

function conn<T extends { __typename: string }>(v: T | undefined) {
  return v?.__typename === 'RuntimeConnection'
    ? (v as Extract<T, { __typename: 'RuntimeConnection' }>)
    : null;
}

function Stat({
  label,
  value,
  note,
  to,
  tone,
}: {
  label: string;
  value: number | string | undefined;
  note?: string;
  to: string;
  tone?: 'bad';
}) {
  return (
    <li className={`stat ${tone === 'bad' ? 'stat-bad' : ''}`}>
      <Link to={to}>
        <span className="stat-value" data-testid={`stat-${label.toLowerCase().replace(/ /g, '-')}`}>
          {value ?? '—'}
        </span>
        <span className="stat-label">{label}</span>
        {note && <span className="stat-note">{note}</span>}
      </Link>
    </li>
  );
}
