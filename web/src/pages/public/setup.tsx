import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { useSignedIn } from '../../auth/sign-out.ts';
import { Field, NewPasswordFields } from '../../components/field.tsx';
import { usePasswordRules } from '../../components/password-rules.tsx';
import { Alert, Button, PageTitle } from '../../components/ui.tsx';
import { graphql } from '../../gql/index.ts';
import {
  asError,
  describeCombined,
  describeTyped,
  fieldErrors,
  type TypedError,
} from '../../lib/errors.ts';
import { Link, useLocation } from '../../lib/router.tsx';

const SetupDoc = graphql(`
  mutation SetupFirstAdmin($token: String!, $username: String!, $password: String!) {
    setupFirstAdmin(token: $token, username: $username, password: $password) {
      ... on SignInPayload {
        redirectTo
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

/** First run: the one-time link the server printed (`/setup?token=…`) creates the first admin. */
export function Setup() {
  const token = useLocation().search.get('token') ?? '';
  const rules = usePasswordRules();
  const signedIn = useSignedIn();
  const [form, setForm] = useState({ username: '', password: '', confirm: '' });
  const [failure, setFailure] = useState<TypedError | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setup] = useMutation(SetupDoc);
  const fields = fieldErrors(failure);

  if (!token)
    return (
      <>
        <PageTitle lead="Open the one-time setup link the server printed in its log when it first started.">
          Set up ClawLoops
        </PageTitle>
        <Alert>This address has no setup token.</Alert>
      </>
    );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    setError(null);
    if (form.password !== form.confirm) return setError('The two passwords differ.');
    const res = await setup({ token, username: form.username.trim(), password: form.password });
    const payload = res.data?.setupFirstAdmin;
    const typed = asError(payload);
    if (typed) {
      setFailure(typed);
      return setError(typed.fieldErrors?.length ? null : describeTyped(typed));
    }
    if (payload?.__typename === 'SignInPayload') return signedIn(payload.redirectTo);
    setError(describeCombined(res.error) ?? 'Setup failed.');
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  return (
    <>
      <PageTitle lead="Create the first administrator account. This link works once.">
        Set up ClawLoops
      </PageTitle>
      <form onSubmit={submit} className="form" noValidate>
        <Field
          label="Admin username"
          autoComplete="username"
          required
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
        {failure?.__typename === 'ConflictError' && (
          <p>
            An administrator already exists. <Link to="/login">Sign in instead.</Link>
          </p>
        )}
        <Button type="submit" variant="primary" busy={result.fetching}>
          Create admin and sign in
        </Button>
      </form>
    </>
  );
}
