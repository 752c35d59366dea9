import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { CopyField } from '../../components/copy-field.tsx';
import { Field, Select } from '../../components/field.tsx';
import { Alert, Button, Card } from '../../components/ui.tsx';
import type { ApiTokenScope } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeTyped } from '../../lib/errors.ts';

const CreateDoc = graphql(`
  mutation CreateApiToken($name: String!, $scopes: [ApiTokenScope!]!, $expiresInDays: Int) {
    createApiToken(name: $name, scopes: $scopes, expiresInDays: $expiresInDays) {
      ... on CreateApiTokenPayload {
        token
        apiToken {
          id
          name
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const SCOPES: [ApiTokenScope, string][] = [
  ['RUNTIME_READ', 'Read runtimes'],
  ['RUNTIME_WRITE', 'Start and stop runtimes'],
  ['MODELS_READ', 'Read models'],
];

/** Only meaningful for admins (the server refuses them to others anyway). */
const ADMIN_SCOPES: [ApiTokenScope, string][] = [
  ['USERS_READ', 'Read users'],
  ['USERS_WRITE', 'Manage users'],
  ['AUDIT_READ', 'Read the audit log'],
];

const EXPIRY = [
  ['30', '30 days'],
  ['90', '90 days'],
  ['365', '1 year'],
  ['', 'Never'],
] as const;

export function CreateTokenForm({ admin, onCreated }: { admin: boolean; onCreated(): void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiTokenScope[]>(['RUNTIME_READ']);
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [state, create] = useMutation(CreateDoc);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const res = await create({
      name: name.trim(),
      scopes,
      expiresInDays: days ? Number(days) : null,
    });
    const payload = res.data?.createApiToken;
    const typed = asError(payload);
    if (typed) return setError(describeTyped(typed));
    if (payload?.__typename !== 'CreateApiTokenPayload')
      return setError(describeCombined(res.error) ?? 'The token could not be created.');
    setCreated({ name: payload.apiToken.name, token: payload.token });
    setName('');
    onCreated();
  };
  const toggle = (s: ApiTokenScope) =>
    setScopes(scopes.includes(s) ? scopes.filter((x) => x !== s) : [...scopes, s]);

  return (
    <Card title="Create a token">
      {created && (
        <div className="once">
          <Alert kind="success">
            Token “{created.name}” created. Copy it now: it is shown only this once.
          </Alert>
          <CopyField label="Your new token" value={created.token} />
          <Button variant="ghost" onClick={() => setCreated(null)}>
            Done, hide it
          </Button>
        </div>
      )}
      <form className="form form-inline" onSubmit={submit} noValidate>
        <Field
          label="Name"
          required
          placeholder="e.g. laptop script"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <fieldset className="checks">
          <legend>Scopes</legend>
          {(admin ? [...SCOPES, ...ADMIN_SCOPES] : SCOPES).map(([value, label]) => (
            <label key={value} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(value)}
                onChange={() => toggle(value)}
              />{' '}
              {label}
            </label>
          ))}
        </fieldset>
        <Select
          label="Expires"
          options={EXPIRY}
          value={days}
          onChange={(e) => setDays(e.target.value)}
        />
        <Alert>{error}</Alert>
        <Button
          type="submit"
          variant="primary"
          busy={state.fetching}
          disabled={!name.trim() || scopes.length === 0}
        >
          Create token
        </Button>
      </form>
    </Card>
  );
}
