import { useState } from 'react';
import { useMutation } from 'urql';
import type { RuntimeViewFragment } from '../gql/graphql.ts';
import { asError, describeCombined, describeTyped } from '../lib/errors.ts';
import {
  DeleteRuntimeDoc,
  RestartRuntimeDoc,
  StartRuntimeDoc,
  StopRuntimeDoc,
} from '../lib/runtime-documents.ts';
import { DeleteDialog } from './delete-dialog.tsx';
import { ProfileSelect } from './profile-select.tsx';
import { Alert, Button } from './ui.tsx';

type Outcome = {
  data?: Record<string, unknown> | null;
  error?: Parameters<typeof describeCombined>[0];
};

/** Start / stop / restart / delete for one runtime; the new state arrives over the subscription. */
export function RuntimeActions({
  runtime,
  compact,
  onChanged,
}: {
  runtime: RuntimeViewFragment;
  compact?: boolean;
  onChanged?(r: RuntimeViewFragment): void;
}) {
  const [start, doStart] = useMutation(StartRuntimeDoc);
  const [stop, doStop] = useMutation(StopRuntimeDoc);
  const [restart, doRestart] = useMutation(RestartRuntimeDoc);
  const [del, doDelete] = useMutation(DeleteRuntimeDoc);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [profile, setProfile] = useState<string | null>(null);
  const id = runtime.id;
  const busy = start.fetching || stop.fetching || restart.fetching || del.fetching;

  const run = async (field: string, call: Promise<Outcome>) => {
    setError(null);
    const res = await call;
    const value = res.data?.[field] as (RuntimeViewFragment & { __typename: string }) | undefined;
    const failure = asError(value);
    if (failure) return setError(describeTyped(failure));
    if (!value) return setError(describeCombined(res.error) ?? 'The request failed.');
    onChanged?.(value);
  };

  const wantsRunning = runtime.desiredState === 'RUNNING';
  const gone = runtime.desiredState === 'DELETED';
  const who = compact ? ` ${runtime.owner.username}'s runtime` : '';
  const canStart =
    (!wantsRunning || runtime.status.failed) && !gone && runtime.owner.status !== 'DISABLED';
  return (
    <div className="actions">
      {canStart && !compact && (
        <ProfileSelect value={profile ?? runtime.profile} onChange={setProfile} />
      )}
      <div className="row">
        {(!wantsRunning || runtime.status.failed) &&
          !gone &&
          runtime.owner.status !== 'DISABLED' && (
            <Button
              variant="primary"
              busy={start.fetching}
              disabled={busy}
              onClick={() => run('startRuntime', doStart({ id, profile }))}
              aria-label={compact ? `Start${who}` : undefined}
            >
              {runtime.status.failed ? 'Retry start' : 'Start'}
            </Button>
          )}
        {wantsRunning && (
          <Button
            busy={stop.fetching}
            disabled={busy}
            onClick={() => run('stopRuntime', doStop({ id }))}
            aria-label={compact ? `Stop${who}` : undefined}
          >
            Stop
          </Button>
        )}
        {wantsRunning && !runtime.status.failed && (
          <Button
            busy={restart.fetching}
            disabled={busy}
            onClick={() => run('restartRuntime', doRestart({ id }))}
            aria-label={compact ? `Restart${who}` : undefined}
          >
            Restart
          </Button>
        )}
        {!gone && (
          <Button
            variant="danger"
            disabled={busy}
            onClick={() => setDeleting(true)}
            aria-label={compact ? `Delete${who}` : undefined}
          >
            Delete…
          </Button>
        )}
      </div>
      <Alert>{error}</Alert>
      <DeleteDialog
        open={deleting}
        busy={del.fetching}
        owner={compact ? runtime.owner.username : null}
        onCancel={() => setDeleting(false)}
        onConfirm={async (retention) => {
          await run('deleteRuntime', doDelete({ id, retention }));
          setDeleting(false);
        }}
      />
    </div>
  );
}
