import { type FormEvent, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { Field } from '../../components/field.tsx';
import { Alert, Button } from '../../components/ui.tsx';
import type { ProfileViewFragment } from '../../gql/graphql.ts';
import {
  asError,
  describeCombined,
  describeTyped,
  fieldErrors,
  type TypedError,
} from '../../lib/errors.ts';
import { findUserId } from '../../lib/use-user-id.ts';
import { CreateProfileDoc, UpdateProfileDoc } from './profile-documents.ts';

const EMPTY = {
  name: '',
  displayName: '',
  description: '',
  cpuRequest: '250m',
  cpuLimit: '2',
  memoryMiB: '2048',
  heapMiB: '',
  diskGiB: '10',
  openclawVersion: '',
  image: '',
  idleTimeoutMinutes: '',
  terminal: false,
  availableToAll: true,
  allowedUsers: '',
};
type Form = typeof EMPTY;

const str = (v: number | null | undefined) => (v == null ? '' : String(v));

function formOf(p: ProfileViewFragment): Form {
  return {
    name: p.name,
    displayName: p.displayName,
    description: p.description,
    cpuRequest: p.cpuRequest,
    cpuLimit: p.cpuLimit,
    memoryMiB: str(p.memoryMiB),
    heapMiB: str(p.heapMiB),
    diskGiB: str(p.diskGiB),
    openclawVersion: p.openclawVersion,
    image: p.image,
    idleTimeoutMinutes: str(p.idleTimeoutMinutes),
    terminal: p.terminal,
    availableToAll: p.availableToAll,
    allowedUsers: (p.allowedUsers ?? []).map((u) => u.username).join(', '),
  };
}

/** Whole numbers as typed; an empty optional field is null (the server's default applies). */
const int = (v: string) => (v.trim() === '' ? null : Number(v));

/**
 * Creates a profile, or edits `profile` (its name is fixed: runtimes refer to it). Sizes are checked
 * by the server, which answers field by field; allowed users are typed as usernames.
 */
export function ProfileForm({
  profile,
  onSaved,
  onCancel,
}: {
  profile?: ProfileViewFragment;
  onSaved(message: string): void;
  onCancel?(): void;
}) {
  const client = useClient();
  const [form, setForm] = useState<Form>(profile ? formOf(profile) : EMPTY);
  const [failure, setFailure] = useState<TypedError | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, create] = useMutation(CreateProfileDoc);
  const [updated, update] = useMutation(UpdateProfileDoc);
  const fields = fieldErrors(failure);
  const set = (k: keyof Form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const toggle = (k: 'terminal' | 'availableToAll') => () => setForm({ ...form, [k]: !form[k] });

  const allowedIds = async (): Promise<string[] | null> => {
    const names = form.allowedUsers.split(/[\s,]+/).filter(Boolean);
    const ids: string[] = [];
    for (const name of names) {
      const id = await findUserId(client, name);
      if (!id) {
        setError(`There is no user called “${name}”.`);
        return null;
      }
      ids.push(id);
    }
    return ids;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    setError(null);
    const allowedUsers = form.availableToAll ? [] : await allowedIds();
    if (allowedUsers === null) return;
    const input = {
      displayName: form.displayName.trim(),
      description: form.description.trim(),
      cpuRequest: form.cpuRequest.trim(),
      cpuLimit: form.cpuLimit.trim(),
      memoryMiB: int(form.memoryMiB) ?? 0,
      heapMiB: int(form.heapMiB),
      diskGiB: int(form.diskGiB) ?? 0,
      openclawVersion: form.openclawVersion.trim(),
      image: form.image.trim(),
      idleTimeoutMinutes: int(form.idleTimeoutMinutes),
      terminal: form.terminal,
      availableToAll: form.availableToAll,
      allowedUsers,
    };
    const res = profile
      ? await update({ id: profile.id, input })
      : await create({ input: { ...input, name: form.name.trim() } });
    const payload = profile
      ? (res.data as { updateRuntimeProfile?: { __typename?: string } } | undefined)
          ?.updateRuntimeProfile
      : (res.data as { createRuntimeProfile?: { __typename?: string } } | undefined)
          ?.createRuntimeProfile;
    const typed = asError(payload);
    if (typed) {
      setFailure(typed);
      return setError(describeTyped(typed));
    }
    if (payload?.__typename !== 'RuntimeProfile')
      return setError(describeCombined(res.error) ?? 'The profile could not be saved.');
    if (!profile) setForm(EMPTY);
    onSaved(
      profile
        ? `Profile ${profile.name} saved. Runtimes take the new values at their next start or restart.`
        : `Profile ${form.name.trim()} added.`,
    );
  };

  return (
    <form className="form form-inline" onSubmit={submit} noValidate>
      {!profile && (
        <Field
          label="Name"
          placeholder="e.g. large"
          hint="Lowercase letters, digits, dashes. Cannot change later."
          required
          value={form.name}
          onChange={set('name')}
          error={fields.name}
        />
      )}
      <Field
        label="Display name"
        placeholder="e.g. Large"
        required
        value={form.displayName}
        onChange={set('displayName')}
        error={fields.displayName}
      />
      <Field
        label="Description"
        value={form.description}
        onChange={set('description')}
        error={fields.description}
      />
      <Field
        label="CPU request"
        hint="e.g. 250m, 0.5, 2"
        required
        value={form.cpuRequest}
        onChange={set('cpuRequest')}
        error={fields.cpuRequest}
      />
      <Field
        label="CPU limit"
        required
        value={form.cpuLimit}
        onChange={set('cpuLimit')}
        error={fields.cpuLimit}
      />
      <Field
        label="Memory (MiB)"
        type="number"
        min="256"
        required
        value={form.memoryMiB}
        onChange={set('memoryMiB')}
        error={fields.memoryMiB}
      />
      <Field
        label="V8 heap cap (MiB)"
        type="number"
        hint="Empty: 75% of memory."
        value={form.heapMiB}
        onChange={set('heapMiB')}
        error={fields.heapMiB}
      />
      <Field
        label="Workspace disk (GiB)"
        type="number"
        min="1"
        required
        value={form.diskGiB}
        onChange={set('diskGiB')}
        error={fields.diskGiB}
      />
      <Field
        label="OpenClaw version"
        placeholder="e.g. 2026.9.6"
        hint="Empty: the platform default."
        value={form.openclawVersion}
        onChange={set('openclawVersion')}
        error={fields.openclawVersion}
      />
      <Field
        label="Image (Kubernetes)"
        placeholder="ghcr.io/openclaw/openclaw"
        hint="Repository without tag. Empty: the platform's."
        value={form.image}
        onChange={set('image')}
        error={fields.image}
      />
      <Field
        label="Idle stop (minutes)"
        type="number"
        min="0"
        hint="Empty: the platform's idle timeout. 0: never."
        value={form.idleTimeoutMinutes}
        onChange={set('idleTimeoutMinutes')}
        error={fields.idleTimeoutMinutes}
      />
      <fieldset className="checks">
        <legend>Policy</legend>
        <label className="check">
          <input type="checkbox" checked={form.terminal} onChange={toggle('terminal')} /> Host
          terminal in the Control UI
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={form.availableToAll}
            onChange={toggle('availableToAll')}
          />{' '}
          Available to everyone
        </label>
      </fieldset>
      {!form.availableToAll && (
        <Field
          label="Allowed users"
          placeholder="alice, bob"
          hint="Usernames, separated by commas. Admins may always use every profile."
          value={form.allowedUsers}
          onChange={set('allowedUsers')}
          error={fields.availableToAll ?? fields.allowedUserIds}
        />
      )}
      <Alert>{error}</Alert>
      <div className="row form-actions">
        <Button
          type="submit"
          variant="primary"
          busy={created.fetching || updated.fetching}
          disabled={!profile && (!form.name.trim() || !form.displayName.trim())}
        >
          {profile ? 'Save profile' : 'Add profile'}
        </Button>
        {onCancel && <Button onClick={onCancel}>Cancel</Button>}
      </div>
    </form>
  );
}
