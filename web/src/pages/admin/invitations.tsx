import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfirmDialog } from '../../components/dialog.tsx';
import {
  Alert,
  Badge,
  Button,
  Card,
  Empty,
  Loading,
  PageTitle,
  type Tone,
} from '../../components/ui.tsx';
import type { InvitationState } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeOutcome, describeTyped } from '../../lib/errors.ts';
import { formatDateTime, formatRelative, titleCase } from '../../lib/format.ts';
import { CreateInvitationForm } from './create-invitation-form.tsx';

const InvitationsDoc = graphql(`
  query AdminInvitations {
    invitations {
      ... on QueryInvitationsSuccess {
        data {
          id state role usernameLock email expiresAt createdAt consumedAt revokedAt
          createdBy { username }
          consumedBy { username }
        }
      }
      ... on Error { code message }
    }
  }
`);

const RevokeDoc = graphql(`
  mutation RevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) {
      ... on Invitation { id state revokedAt }
      ... on Error { code message }
    }
  }
`);

const TONE: Record<InvitationState, Tone> = {
  VALID: 'good',
  CONSUMED: 'neutral',
  EXPIRED: 'warn',
  REVOKED: 'bad',
  NOT_FOUND: 'bad',
};
const WORD: Record<InvitationState, string> = {
  VALID: 'Pending',
  CONSUMED: 'Accepted',
  EXPIRED: 'Expired',
  REVOKED: 'Revoked',
  NOT_FOUND: 'Unknown',
};

export function AdminInvitations() {
  const [{ data, error, fetching }, refetch] = useQuery({ query: InvitationsDoc });
  const [revoking, setRevoking] = useState<{ id: string; who: string } | null>(null);
  const [revokeState, revoke] = useMutation(RevokeDoc);
  const [revokeError, setRevokeError] = useState<string | null>(null);
  const result = data?.invitations;
  const failure = asError(result);
  const list = result?.__typename === 'QueryInvitationsSuccess' ? result.data : [];

  const confirmRevoke = async () => {
    if (!revoking) return;
    const res = await revoke({ id: revoking.id });
    setRevokeError(describeOutcome(res.data?.revokeInvitation, res.error));
    setRevoking(null);
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <>
      <PageTitle lead="Invite people by link. Each link works once and expires.">
        Invitations
      </PageTitle>
      <CreateInvitationForm onCreated={() => refetch({ requestPolicy: 'network-only' })} />
      <Card title="All invitations">
        {fetching && !data && <Loading />}
        <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
        <Alert>{revokeError}</Alert>
        {data && list.length === 0 && <Empty>No invitations yet.</Empty>}
        {list.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">For</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Expires</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((i) => {
                const who = i.usernameLock ?? i.email ?? 'anyone with the link';
                return (
                  <tr key={i.id}>
                    <td data-label="For" className="break">
                      {who}
                      {i.usernameLock && i.email && <span className="hint"> · {i.email}</span>}
                    </td>
                    <td data-label="Role">{titleCase(i.role)}</td>
                    <td data-label="State">
                      <Badge tone={TONE[i.state]}>{WORD[i.state]}</Badge>
                      {i.consumedBy && <span className="hint"> by {i.consumedBy.username}</span>}
                    </td>
                    <td data-label="Expires" title={formatDateTime(i.expiresAt)}>
                      {formatRelative(i.expiresAt)}
                    </td>
                    <td data-label="Created">
                      {formatRelative(i.createdAt)}
                      {i.createdBy && ` by ${i.createdBy.username}`}
                    </td>
                    <td data-label="">
                      {i.state === 'VALID' && (
                        <Button
                          variant="danger"
                          onClick={() => setRevoking({ id: i.id, who })}
                          aria-label={`Revoke invitation for ${who}`}
                        >
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Card>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this invitation?"
        confirmLabel="Revoke"
        danger
        busy={revokeState.fetching}
        onCancel={() => setRevoking(null)}
        onConfirm={confirmRevoke}
      >
        <p>The link for {revoking?.who} stops working at once. You can create a new one later.</p>
      </ConfirmDialog>
    </>
  );
}
