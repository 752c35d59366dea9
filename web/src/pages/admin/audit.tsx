import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { Field, Select } from '../../components/field.tsx';
import { Pager, useCursorPages } from '../../components/pager.tsx';
import { Alert, Badge, Card, Empty, Loading, PageTitle } from '../../components/ui.tsx';
import type { AuditResult } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeTyped } from '../../lib/errors.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useUserId } from '../../lib/use-user-id.ts';

const AuditDoc = graphql(`
  query AuditEvents(
    $first: Int!
    $after: String
    $action: String
    $actor: ID
    $result: AuditResult
    $since: DateTime
  ) {
    auditEvents(
      first: $first
      after: $after
      action: $action
      actor: $actor
      result: $result
      since: $since
    ) {
      ... on QueryAuditEventsSuccess {
        data {
          pageInfo { hasNextPage endCursor }
          edges { node { id at action actorLabel result targetType targetId ip detail } }
        }
      }
      ... on Error { code message }
    }
  }
`);

const RESULTS = [
  ['', 'Any result'],
  ['OK', 'Allowed'],
  ['DENIED', 'Denied'],
  ['ERROR', 'Error'],
] as const;
const PAGE = 50;

export function AdminAudit() {
  const [typedAction, setTypedAction] = useState('');
  const [action, setAction] = useState('');
  const [result, setResult] = useState('');
  const [since, setSince] = useState('');
  const [typedActor, setTypedActor] = useState('');
  const actor = useUserId(typedActor);
  const pages = useCursorPages();
  useEffect(() => {
    const t = setTimeout(() => setAction(typedAction.trim()), 300);
    return () => clearTimeout(t);
  }, [typedAction]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts at page 1
  useEffect(() => pages.reset(), [action, result, since, actor.id]);
  const variables = {
    first: PAGE,
    after: pages.after,
    action: action || null,
    actor: actor.id,
    result: (result || null) as AuditResult | null,
    since: since ? new Date(`${since}T00:00:00`).toISOString() : null,
  };
  const [{ data, error, fetching }] = useQuery({
    query: AuditDoc,
    variables,
    pause: actor.unknown,
  });
  const res = data?.auditEvents;
  const failure = asError(res);
  const conn = res?.__typename === 'QueryAuditEventsSuccess' ? res.data : null;

  return (
    <>
      <PageTitle lead="Who did what, when, from where — and whether it was allowed. Newest first.">
        Audit log
      </PageTitle>
      <div className="filters">
        <Field
          label="Action"
          placeholder="e.g. auth.login"
          value={typedAction}
          onChange={(e) => setTypedAction(e.target.value)}
        />
        <Field
          label="Who"
          placeholder="Username"
          autoCapitalize="none"
          value={typedActor}
          onChange={(e) => setTypedActor(e.target.value)}
          error={actor.unknown ? 'No user has this username.' : null}
        />
        <Select
          label="Result"
          options={RESULTS}
          value={result}
          onChange={(e) => setResult(e.target.value)}
        />
        <Field label="Since" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
      </div>
      <Card>
        {fetching && !data && <Loading />}
        <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
        {conn && conn.edges.length === 0 && <Empty>No audit events match.</Empty>}
        {conn && conn.edges.length > 0 && (
          <table className="table table-dense">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Result</th>
                <th scope="col">Target</th>
                <th scope="col">From</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {conn.edges.map(({ node: e }) => (
                <tr key={e.id}>
                  <td data-label="When">
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                  </td>
                  <td data-label="Who">{e.actorLabel}</td>
                  <td data-label="Action">
                    <code className="nowrap">{e.action}</code>
                  </td>
                  <td data-label="Result">
                    <Badge
                      tone={e.result === 'OK' ? 'good' : e.result === 'DENIED' ? 'warn' : 'bad'}
                    >
                      {e.result.toLowerCase()}
                    </Badge>
                  </td>
                  <td data-label="Target" className="break">
                    {e.targetType ? `${e.targetType} ${e.targetId?.slice(0, 8) ?? ''}` : '—'}
                  </td>
                  <td data-label="From">{e.ip ?? '—'}</td>
                  <td data-label="Detail" className="break">
                    <code>{e.detail ? JSON.stringify(e.detail) : ''}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pager label="Audit pages" pages={pages} pageInfo={conn?.pageInfo} />
      </Card>
    </>
  );
}
