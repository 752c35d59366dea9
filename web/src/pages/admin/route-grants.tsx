import { type FormEvent, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { Field } from '../../components/field.tsx';
import { Alert, Button } from '../../components/ui.tsx';
import { asError, type describeCombined, describeOutcome } from '../../lib/errors.ts';
import { findUserId } from '../../lib/use-user-id.ts';
import { GrantDoc, RevokeGrantDoc } from './model-documents.ts';

type Grant = { id: string; everyone: boolean; user?: { id: string; username: string } | null };

/** Who may use one route: everyone, or named users; grant by username, revoke per grant. */
export function RouteGrants({
  route,
  onChanged,
}: {
  route: { id: string; name: string; grants: Grant[] };
  onChanged(): void;
}) {
  const client = useClient();
  const [username, setUsername] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [grant, doGrant] = useMutation(GrantDoc);
  const [, doRevoke] = useMutation(RevokeGrantDoc);
  const everyone = route.grants.some((g) => g.everyone);

  const report = (
    value: { __typename?: string } | null | undefined,
    err: Parameters<typeof describeCombined>[0],
  ) => {
    setError(describeOutcome(value, err));
    onChanged();
  };
  const grantUser = async (e: FormEvent) => {
    e.preventDefault();
    const name = username.trim();
    const userId = await findUserId(client, name);
    if (!userId) return setError(`There is no user called “${name}”.`);
    const res = await doGrant({ route: route.id, user: userId });
    report(res.data?.grantModelRoute, res.error);
    if (!asError(res.data?.grantModelRoute)) setUsername('');
  };

  return (
    <div className="grants">
      <h3>Who may use it</h3>
      {route.grants.length === 0 ? (
        <p className="hint">Nobody yet.</p>
      ) : (
        <ul className="chips">
          {route.grants.map((g) => (
            <li key={g.id} className="chip">
              {g.everyone ? 'Everyone' : g.user?.username}
              <button
                type="button"
                className="chip-x"
                aria-label={`Revoke ${g.everyone ? 'everyone' : g.user?.username} from ${route.name}`}
                onClick={async () => {
                  const res = await doRevoke({ id: g.id });
                  report(res.data?.revokeModelGrant, res.error);
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="row grant-form" onSubmit={grantUser} noValidate>
        <Field
          label={`Grant ${route.name} to a user`}
          placeholder="Username"
          autoCapitalize="none"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <Button type="submit" busy={grant.fetching} disabled={!username.trim()}>
          Grant
        </Button>
        {!everyone && (
          <Button
            variant="ghost"
            onClick={async () => {
              const res = await doGrant({ route: route.id, everyone: true });
              report(res.data?.grantModelRoute, res.error);
            }}
          >
            Grant to everyone
          </Button>
        )}
      </form>
      <Alert>{error}</Alert>
    </div>
  );
}
