import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { Alert, Badge, Button, Card, Empty, Loading, PageTitle } from '../../components/ui.tsx';
import type { ModelRoutesQuery } from '../../gql/graphql.ts';
import { asError, describeCombined, describeOutcome, describeTyped } from '../../lib/errors.ts';
import { formatUsd } from '../../lib/format-usage.ts';
import { BudgetsCard } from './budgets.tsx';
import { DeleteRouteDoc, ModelRoutesDoc, UpdateRouteDoc } from './model-documents.ts';
import { KINDS, RouteForm } from './route-form.tsx';
import { RouteGrants } from './route-grants.tsx';

type Route = Extract<
  ModelRoutesQuery['modelRoutes'],
  { __typename: 'QueryModelRoutesSuccess' }
>['data'][number];

export function AdminModels() {
  const [{ data, error, fetching }, refetch] = useQuery({ query: ModelRoutesDoc });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const result = data?.modelRoutes;
  const failure = asError(result);
  const routes = result?.__typename === 'QueryModelRoutesSuccess' ? result.data : [];
  return (
    <>
      <PageTitle lead="Model routes map a public model name to an upstream API; grants say who may use them. Runtimes never see upstream keys.">
        Model routes and grants
      </PageTitle>
      <RouteForm onCreated={reload} />
      {fetching && !data && <Loading />}
      <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
      {data && !failure && routes.length === 0 && (
        <Card>
          <Empty>No model routes yet. Add one above, then grant it to users.</Empty>
        </Card>
      )}
      {routes.map((r) => (
        <RouteCard key={r.id} route={r} onChanged={reload} />
      ))}
      <BudgetsCard />
    </>
  );
}

function RouteCard({ route: r, onChanged }: { route: Route; onChanged(): void }) {
  const [update, doUpdate] = useMutation(UpdateRouteDoc);
  const [del, doDelete] = useMutation(DeleteRouteDoc);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = async (input: { enabled?: boolean; isDefault?: boolean }) => {
    const res = await doUpdate({ id: r.id, input });
    setError(describeOutcome(res.data?.updateModelRoute, res.error));
    onChanged();
  };
  const remove = async () => {
    const res = await doDelete({ id: r.id });
    setError(describeOutcome(res.data?.deleteModelRoute, res.error));
    setDeleting(false);
    onChanged();
  };
  const price =
    r.inputPricePerMTok != null || r.outputPricePerMTok != null
      ? `${formatUsd(r.inputPricePerMTok ?? 0)} in / ${formatUsd(r.outputPricePerMTok ?? 0)} out per 1M tokens`
      : 'No price set';
  return (
    <Card
      title={
        <>
          <code>{r.name}</code>
          {r.isDefault && <Badge tone="good">default</Badge>}
          <Badge tone={r.enabled ? 'good' : 'neutral'}>{r.enabled ? 'Enabled' : 'Disabled'}</Badge>
          {!r.visible && <Badge>hidden</Badge>}
        </>
      }
      actions={
        <div className="row">
          <Button busy={update.fetching} onClick={() => change({ enabled: !r.enabled })}>
            {r.enabled ? 'Disable' : 'Enable'}
          </Button>
          {!r.isDefault && (
            <Button variant="ghost" onClick={() => change({ isDefault: true })}>
              Make default
            </Button>
          )}
          <Button
            variant="danger"
            onClick={() => setDeleting(true)}
            aria-label={`Delete route ${r.name}`}
          >
            Delete…
          </Button>
        </div>
      }
    >
      <dl className="facts">
        <dt>Upstream</dt>
        <dd className="break">
          {KINDS.find(([k]) => k === r.upstreamKind)?.[1] ?? r.upstreamKind} ·{' '}
          <code>{r.upstreamModel}</code> at {r.baseUrl}
        </dd>
        <dt>Credential</dt>
        <dd>{r.hasCredential ? 'Stored (encrypted)' : 'None'}</dd>
        <dt>Price</dt>
        <dd>{price}</dd>
      </dl>
      <Alert>{error}</Alert>
      <RouteGrants route={r} onChanged={onChanged} />
      <ConfirmDialog
        open={deleting}
        title={`Delete route ${r.name}?`}
        confirmLabel="Delete route"
        danger
        busy={del.fetching}
        onCancel={() => setDeleting(false)}
        onConfirm={remove}
      >
        <p>Its grants are removed too, and runtimes stop offering this model.</p>
      </ConfirmDialog>
    </Card>
  );
}
