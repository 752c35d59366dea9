import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { CopyField } from '../../components/copy-field.tsx';
import { Field, Select } from '../../components/field.tsx';
import { Alert, Button, Card } from '../../components/ui.tsx';
import type { UserRole } from '../../gql/graphql.ts';
import { graphql } from '../../gql/index.ts';
import {
  asError,
  describeCombined,
  describeTyped,
  fieldErrors,
  type TypedError,
} from '../../lib/errors.ts';

const CreateDoc = graphql(`
  mutation CreateInvitation($role: UserRole!, $usernameLock: String, $email: String, $expiresInHours: Int!) {
    createInvitation(role: $role, usernameLock: $usernameLock, email: $email, expiresInHours: $expiresInHours) {
      ... on CreateInvitationPayload {
        url
        invitation { id expiresAt }
      }
      ... on Error { code message }
      ... on InvalidInputError { fieldErrors { path message } }
    }
  }
`);

const EXPIRY = [
  ['24', '1 day'],
  ['72', '3 days'],
  ['168', '1 week'],
  ['720', '30 days'],
] as const;
const ROLES = [
  ['USER', 'User'],
  ['ADMIN', 'Admin'],
] as const;

export function CreateInvitationForm({ onCreated }: { onCreated(): void }) {
  const [form, setForm] = useState({ usernameLock: '', email: '', role: 'USER', hours: '72' });
  const [link, setLink] = useState<string | null>(null);
  const [failure, setFailure] = useState<TypedError | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [state, create] = useMutation(CreateDoc);
  const fields = fieldErrors(failure);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    setError(null);
    const res = await create({
      role: form.role as UserRole,
      usernameLock: form.usernameLock.trim() || null,
      email: form.email.trim() || null,
      expiresInHours: Number(form.hours),
    });
    const payload = res.data?.createInvitation;
    const typed = asError(payload);
    if (typed) {
      setFailure(typed);
      return setError(typed.fieldErrors?.length ? null : describeTyped(typed));
    }
    if (payload?.__typename !== 'CreateInvitationPayload')
      return setError(describeCombined(res.error) ?? 'The invitation could not be created.');
    setLink(payload.url);
    setForm({ ...form, usernameLock: '', email: '' });
    onCreated();
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  return (
    <Card title="New invitation">
      {link && (
        <div className="once">
          <Alert kind="success">
            Invitation created. Copy the link now and send it to the person: it is shown only this
            once.
          </Alert>
          <CopyField label="Invitation link" value={link} />
          <Button variant="ghost" onClick={() => setLink(null)}>
            Done, hide it
          </Button>
        </div>
      )}
      <form className="form form-inline" onSubmit={submit} noValidate>
        <Field
          label="Username (optional)"
          hint="Locks the invitation to this username."
          autoCapitalize="none"
          value={form.usernameLock}
          onChange={set('usernameLock')}
          error={fields.usernameLock}
        />
        <Field
          label="Email (optional)"
          type="email"
          hint="For your records; nothing is sent."
          value={form.email}
          onChange={set('email')}
          error={fields.email}
        />
        <Select label="Role" options={ROLES} value={form.role} onChange={set('role')} />
        <Select label="Valid for" options={EXPIRY} value={form.hours} onChange={set('hours')} />
        <Alert>{error}</Alert>
        <Button type="submit" variant="primary" busy={state.fetching}>
          Create invitation link
        </Button>
      </form>
    </Card>
  );
}
