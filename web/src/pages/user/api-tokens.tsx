import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useViewer } from '../../auth/viewer.tsx';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { Alert, Badge, Button, Card, Empty, Loading, PageTitle } from '../../components/ui.tsx';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeOutcome, describeTyped } from '../../lib/errors.ts';
import { formatDateTime, formatRelative } from '../../lib/format.ts';
import { CreateTokenForm } from './create-token-form.tsx';

const TokensDoc = graphql(`
  query ApiTokens {
    apiTokens {
      ... on QueryApiTokensSuccess {
        data {
          id
          name
          scopes
          active
          createdAt
          expiresAt
          lastUsedAt
          revokedAt
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const RevokeDoc = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      ... on ApiToken {
        id
        active
        revokedAt
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export function ApiTokens() {
  const admin = useViewer().viewer?.isAdmin ?? false;
  const [{ data, error, fetching }, refetch] = useQuery({ query: TokensDoc });
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const [revokeState, revoke] = useMutation(RevokeDoc);
  const [revokeError, setRevokeError] = useState<string | null>(null);
  const result = data?.apiTokens;
  const failure = asError(result);
  const tokens = result?.__typename === 'QueryApiTokensSuccess' ? result.data : [];

  const confirmRevoke = async () => {
    if (!revoking) return;
    const res = await revoke({ id: revoking.id });
    setRevokeError(describeOutcome(res.data?.revokeApiToken, res.error));
    setRevoking(null);
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <>
      <PageTitle lead="Tokens let scripts and tools call the ClawLoops API as you, limited to the scopes you pick.">
        API tokens
      </PageTitle>
      <CreateTokenForm admin={admin} onCreated={() => refetch({ requestPolicy: 'network-only' })} />
      <Card title="Your tokens">
        {fetching && !data && <Loading />}
        <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
        <Alert>{revokeError}</Alert>
        {data && tokens.length === 0 && <Empty>You have no API tokens.</Empty>}
        {tokens.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">State</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td data-label="Name">{t.name}</td>
                  <td data-label="Scopes">
                    {t.scopes.map((s) => s.toLowerCase().replace('_', ':')).join(', ')}
                  </td>
                  <td data-label="State">
                    {t.active ? (
                      <Badge tone="good">Active</Badge>
                    ) : (
                      <Badge>{t.revokedAt ? 'Revoked' : 'Expired'}</Badge>
                    )}
                  </td>
                  <td data-label="Last used">
                    {t.lastUsedAt ? formatRelative(t.lastUsedAt) : 'Never'}
                  </td>
                  <td data-label="Expires">
                    {t.expiresAt ? formatDateTime(t.expiresAt) : 'Never'}
                  </td>
                  <td data-label="">
                    {t.active && (
                      <Button
                        variant="danger"
                        onClick={() => setRevoking(t)}
                        aria-label={`Revoke ${t.name}`}
                      >
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        danger
        busy={revokeState.fetching}
        onCancel={() => setRevoking(null)}
        onConfirm={confirmRevoke}
      >
        <p>Anything using this token stops working within a second. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
