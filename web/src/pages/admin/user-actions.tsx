import { useState } from 'react';
import { useMutation } from 'urql';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { Alert, Button } from '../../components/ui.tsx';
import type { UserRole, UserStatus } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import { describeOutcome } from '../../lib/errors.ts';

const SetStatusDoc = graphql(`
  mutation SetUserStatus($id: ID!, $status: UserStatus!) {
    setUserStatus(id: $id, status: $status) {
      ... on User { id status }
      ... on Error { code message }
    }
  }
`);

const SetRoleDoc = graphql(`
  mutation SetUserRole($id: ID!, $role: UserRole!) {
    setUserRole(id: $id, role: $role) {
      ... on User { id role }
      ... on Error { code message }
    }
  }
`);

type Pending = { kind: 'status'; to: UserStatus } | { kind: 'role'; to: UserRole };

/** Enable/disable and role change for one user, each behind a confirmation. */
export function UserActions({
  user,
  onChanged,
}: {
  user: { id: string; username: string; role: UserRole; status: UserStatus };
  onChanged(): void;
}) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [statusState, setStatus] = useMutation(SetStatusDoc);
  const [roleState, setRole] = useMutation(SetRoleDoc);

  const confirm = async () => {
    if (!pending) return;
    const res =
      pending.kind === 'status'
        ? await setStatus({ id: user.id, status: pending.to })
        : await setRole({ id: user.id, role: pending.to });
    const payload =
      res.data && ('setUserStatus' in res.data ? res.data.setUserStatus : res.data.setUserRole);
    setError(describeOutcome(payload, res.error));
    setPending(null);
    onChanged();
  };

  const disabling = pending?.kind === 'status' && pending.to === 'DISABLED';
  const title = !pending
    ? ''
    : pending.kind === 'status'
      ? `${pending.to === 'DISABLED' ? 'Disable' : 'Enable'} ${user.username}?`
      : `Make ${user.username} ${pending.to === 'ADMIN' ? 'an admin' : 'a regular user'}?`;
  return (
    <div className="actions">
      <div className="row">
        {user.status === 'ACTIVE' ? (
          <Button
            variant="danger"
            onClick={() => setPending({ kind: 'status', to: 'DISABLED' })}
            aria-label={`Disable ${user.username}`}
          >
            Disable
          </Button>
        ) : (
          <Button
            onClick={() => setPending({ kind: 'status', to: 'ACTIVE' })}
            aria-label={`Enable ${user.username}`}
          >
            Enable
          </Button>
        )}
        <Button
          variant="ghost"
          onClick={() => setPending({ kind: 'role', to: user.role === 'ADMIN' ? 'USER' : 'ADMIN' })}
        >
          {user.role === 'ADMIN' ? 'Make user' : 'Make admin'}
        </Button>
      </div>
      <Alert>{error}</Alert>
      <ConfirmDialog
        open={pending !== null}
        title={title}
        confirmLabel={title.replace(/\?$/, '').split(' ')[0] ?? 'Confirm'}
        danger={disabling}
        busy={statusState.fetching || roleState.fetching}
        onCancel={() => setPending(null)}
        onConfirm={confirm}
      >
        {disabling ? (
          <p>
            They are signed out everywhere at once, their API tokens stop working, and their runtime
            is stopped. You can enable them again later.
          </p>
        ) : pending?.kind === 'role' && pending.to === 'ADMIN' ? (
          <p>Admins manage users, invitations and every runtime.</p>
        ) : (
          <p>This takes effect immediately.</p>
        )}
      </ConfirmDialog>
    </div>
  );
}
