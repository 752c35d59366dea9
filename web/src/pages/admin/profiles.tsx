import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { Alert, Badge, Button, Card, Loading, PageTitle } from '../../components/ui.tsx';
import type { AdminRuntimeProfilesQuery, ProfileViewFragment } from '../../gql/graphql.ts';
import { asError, describeCombined, describeOutcome, describeTyped } from '../../lib/errors.ts';
import { AdminProfilesDoc, DeleteProfileDoc, UpdateProfileDoc } from './profile-documents.ts';
import { ProfileForm } from './profile-form.tsx';

type Limits = Extract<
  AdminRuntimeProfilesQuery['runtimeLimits'],
  { __typename: 'QueryRuntimeLimitsSuccess' }
>['data'];

/** Admin: runtime profiles (what users choose from when starting) and the running-runtime limits. */
export function AdminProfiles() {
  const [{ data, error, fetching }, refetch] = useQuery({ query: AdminProfilesDoc });
  const [notice, setNotice] = useState<string | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const result = data?.runtimeProfiles;
  const failure = asError(result);
  const profiles: ProfileViewFragment[] =
    result?.__typename === 'QueryRuntimeProfilesSuccess' ? result.data : [];
  const limits =
    data?.runtimeLimits.__typename === 'QueryRuntimeLimitsSuccess' ? data.runtimeLimits.data : null;
  const saved = (message: string) => {
    setNotice(message);
    reload();
  };
  return (
    <>
      <PageTitle lead="Profiles set a runtime's size, OpenClaw version and tool policy. Users pick one when they start; changes reach a runtime at its next start or restart.">
        Runtime profiles
      </PageTitle>
      {limits && <LimitsCard limits={limits} />}
      <Card title="Add a profile">
        <ProfileForm onSaved={saved} />
      </Card>
      <Alert kind="success">{notice}</Alert>
      {fetching && !data && <Loading />}
      <Alert>{describeCombined(error) ?? (failure && describeTyped(failure))}</Alert>
      {profiles.map((p) => (
        <ProfileCard key={p.id} profile={p} onChanged={saved} />
      ))}
    </>
  );
}

function LimitsCard({ limits }: { limits: Limits }) {
  return (
    <Card title="Limits">
      <dl className="facts">
        <dt>Running now</dt>
        <dd>
          {limits.running}
          {limits.maxRunning != null ? ` of at most ${limits.maxRunning}` : ' (no platform limit)'}
        </dd>
        <dt>Per user</dt>
        <dd>
          {limits.maxRunningPerUser} running at once, unless an administrator set their own limit
        </dd>
        <dt>Starting at once</dt>
        <dd>Limited by the orchestrator; further starts wait as Queued</dd>
      </dl>
    </Card>
  );
}

const sizes = (p: ProfileViewFragment) =>
  `${p.cpuRequest}–${p.cpuLimit} CPU · ${p.memoryMiB} MiB memory (heap ${p.effectiveHeapMiB} MiB) · ${p.diskGiB} GiB disk`;

function ProfileCard({
  profile: p,
  onChanged,
}: {
  profile: ProfileViewFragment;
  onChanged(message: string): void;
}) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [del, doDelete] = useMutation(DeleteProfileDoc);
  const [update, doUpdate] = useMutation(UpdateProfileDoc);
  const makeDefault = async () => {
    const res = await doUpdate({ id: p.id, input: { isDefault: true } });
    const problem = describeOutcome(res.data?.updateRuntimeProfile, res.error);
    if (problem) return setError(problem);
    onChanged(`${p.displayName} is now the default profile.`);
  };
  const remove = async () => {
    const res = await doDelete({ id: p.id });
    setDeleting(false);
    const problem = describeOutcome(res.data?.deleteRuntimeProfile, res.error);
    if (problem) return setError(problem);
    onChanged(`Profile ${p.name} deleted.`);
  };
  const who = p.availableToAll
    ? 'Everyone'
    : (p.allowedUsers ?? []).map((u) => u.username).join(', ') || 'Admins only';
  return (
    <Card
      title={
        <>
          {p.displayName} <code>{p.name}</code>
          {p.isDefault && <Badge tone="good">default</Badge>}
          {!p.availableToAll && <Badge tone="warn">restricted</Badge>}
        </>
      }
      actions={
        !editing && (
          <div className="row">
            <Button onClick={() => setEditing(true)} aria-label={`Edit profile ${p.name}`}>
              Edit
            </Button>
            {!p.isDefault && p.availableToAll && (
              <Button variant="ghost" busy={update.fetching} onClick={makeDefault}>
                Make default
              </Button>
            )}
            {!p.isDefault && (
              <Button
                variant="danger"
                onClick={() => setDeleting(true)}
                aria-label={`Delete profile ${p.name}`}
              >
                Delete…
              </Button>
            )}
          </div>
        )
      }
    >
      {editing ? (
        <ProfileForm
          profile={p}
          onCancel={() => setEditing(false)}
          onSaved={(m) => {
            setEditing(false);
            onChanged(m);
          }}
        />
      ) : (
        <dl className="facts">
          {p.description && (
            <>
              <dt>About</dt>
              <dd>{p.description}</dd>
            </>
          )}
          <dt>Size</dt>
          <dd>{sizes(p)}</dd>
          <dt>OpenClaw</dt>
          <dd>
            {p.openclawVersion || 'platform default version'}
            {p.image && (
              <>
                {' '}
                from <code>{p.image}</code>
              </>
            )}
          </dd>
          <dt>Tools</dt>
          <dd>{p.terminal ? 'Host terminal on' : 'Host terminal off'}</dd>
          <dt>Idle stop</dt>
          <dd>
            {p.idleTimeoutMinutes == null
              ? 'platform default'
              : p.idleTimeoutMinutes === 0
                ? 'never'
                : `after ${p.idleTimeoutMinutes} min`}
          </dd>
          <dt>Who may use it</dt>
          <dd>{who}</dd>
          <dt>In use by</dt>
          <dd>{p.runtimeCount === 1 ? '1 runtime' : `${p.runtimeCount} runtimes`}</dd>
        </dl>
      )}
      <Alert>{error}</Alert>
      <ConfirmDialog
        open={deleting}
        title={`Delete profile ${p.name}?`}
        confirmLabel="Delete profile"
        danger
        busy={del.fetching}
        onCancel={() => setDeleting(false)}
        onConfirm={remove}
      >
        <p>
          {p.runtimeCount > 0
            ? `It is used by ${p.runtimeCount} runtime(s), so it cannot be deleted until they are deleted or started with another profile.`
            : 'Nobody can choose it any more. No runtime uses it.'}
        </p>
      </ConfirmDialog>
    </Card>
  );
}
