import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { useSignedIn } from '../../auth/sign-out.ts';
import { Field, NewPasswordFields } from '../../components/field.tsx';
import { usePasswordRules } from '../../components/password-rules.tsx';
import { Alert, Button } from '../../components/ui.tsx';
import { graphql } from '../../gql/index.ts';
import {
  asError,
  describeCombined,
  describeTyped,
  fieldErrors,
  type TypedError,
} from '../../lib/errors.ts';

const AcceptDoc = graphql(`
  mutation AcceptInvitation($token: String!, $username: String!, $password: String!) {
    acceptInvitation(token: $token, username: $username, password: $password) {
      ... on AcceptInvitationPayload {
        redirectTo
        replayed
      }
      ... on Error {
        code
        message
      }
      ... on InvalidInputError {
        fieldErrors {
          path
          message
        }
      }
    }
  }
`);

export function InviteForm({
  token,
  usernameLock,
}: {
  token: string;
  usernameLock: string | null;
}) {
  const rules = usePasswordRules();
  const signedIn = useSignedIn();
  const [form, setForm] = useState({ username: usernameLock ?? '', password: '', confirm: '' });
  const [failure, setFailure] = useState<TypedError | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, accept] = useMutation(AcceptDoc);
  const fields = fieldErrors(failure);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    setError(null);
    if (form.password !== form.confirm) return setError('The two passwords differ.');
    const res = await accept({ token, username: form.username.trim(), password: form.password });
    const payload = res.data?.acceptInvitation;
    const typed = asError(payload);
    if (typed) {
      setFailure(typed);
      return setError(typed.fieldErrors?.length ? null : describeTyped(typed));
    }
    if (payload?.__typename === 'AcceptInvitationPayload') return signedIn(payload.redirectTo);
    setError(describeCombined(res.error) ?? 'The invitation could not be accepted.');
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  return (
    <form onSubmit={submit} className="form" noValidate>
      <Field
        label="Username"
        autoComplete="username"
        autoCapitalize="none"
        required
        readOnly={usernameLock !== null}
        hint={
          usernameLock
            ? 'Fixed by the invitation.'
            : 'Letters, digits and dashes; you sign in with it.'
        }
        value={form.username}
        onChange={set('username')}
        error={fields.username}
      />
      <NewPasswordFields
        hint={rules}
        password={form.password}
        confirm={form.confirm}
        onPassword={set('password')}
        onConfirm={set('confirm')}
        error={fields.password}
      />
      <Alert>{error}</Alert>
      <Button type="submit" variant="primary" busy={result.fetching}>
        Create account
      </Button>
    </form>
  );
}
