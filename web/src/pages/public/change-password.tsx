import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { useSignedIn, useSignOut } from '../../auth/sign-out.ts';
import { useViewer } from '../../auth/viewer.tsx';
import { Field, NewPasswordFields } from '../../components/field.tsx';
import { usePasswordRules } from '../../components/password-rules.tsx';
import { Alert, Button, Loading, PageTitle } from '../../components/ui.tsx';
import { graphql } from '../../gql/index.ts';
import {
  asError,
  describeCombined,
  describeTyped,
  fieldErrors,
  type TypedError,
} from '../../lib/errors.ts';
import { Link } from '../../lib/router.tsx';

const ChangeDoc = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
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

/** Forced (after an admin reset / first login) or voluntary password change. No skipping. */
export function ChangePassword() {
  const { viewer } = useViewer();
  const rules = usePasswordRules();
  const signedIn = useSignedIn();
  const signOut = useSignOut();
  const [form, setForm] = useState({ current: '', next: '', confirm: '' });
  const [failure, setFailure] = useState<TypedError | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, change] = useMutation(ChangeDoc);
  const fields = fieldErrors(failure);

  if (viewer === undefined) return <Loading />;
  if (viewer === null)
    return (
      <>
        <PageTitle>Change password</PageTitle>
        <Alert>
          Your session has ended. <Link to="/login">Sign in again.</Link>
        </Alert>
      </>
    );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    setError(null);
    if (form.next !== form.confirm) return setError('The two new passwords differ.');
    const res = await change({ currentPassword: form.current, newPassword: form.next });
    const payload = res.data?.changePassword;
    const typed = asError(payload);
    if (typed) {
      setFailure(typed);
      return setError(typed.fieldErrors?.length ? null : describeTyped(typed));
    }
    if (payload?.__typename === 'SignInPayload') return signedIn(payload.redirectTo);
    setError(describeCombined(res.error) ?? 'The password could not be changed.');
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  return (
    <>
      <PageTitle
        lead={
          viewer.mustChangePassword
            ? 'You must choose a new password before continuing.'
            : undefined
        }
      >
        Change password
      </PageTitle>
      <form onSubmit={submit} className="form" noValidate>
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={form.current}
          onChange={set('current')}
          error={fields.currentPassword}
        />
        <NewPasswordFields
          label="New password"
          repeatLabel="Repeat new password"
          hint={rules}
          password={form.next}
          confirm={form.confirm}
          onPassword={set('next')}
          onConfirm={set('confirm')}
          error={fields.newPassword}
        />
        <Alert>{error}</Alert>
        <div className="row">
          <Button type="submit" variant="primary" busy={result.fetching}>
            Change password
          </Button>
          <Button variant="ghost" onClick={() => void signOut()}>
            Sign out
          </Button>
        </div>
      </form>
    </>
  );
}
