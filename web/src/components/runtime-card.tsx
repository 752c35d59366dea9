import type { RuntimeEventViewFragment, RuntimeViewFragment } from '../gql/graphql.ts';
import { formatDateTime, formatRelative, titleCase } from '../lib/format.ts';
import { AutoStop } from './auto-stop.tsx';
import { PhaseBadge } from './phase-badge.tsx';
import { RuntimeActions } from './runtime-actions.tsx';
import { RuntimeLogs } from './runtime-logs.tsx';
import { RuntimeProgress } from './runtime-progress.tsx';
import { Alert, Button, Card } from './ui.tsx';

interface Props {
  runtime: RuntimeViewFragment;
  events: RuntimeEventViewFragment[];
  liveError: string | null;
  onChanged(r: RuntimeViewFragment): void;
  onRecreate(): void;
}

export function RuntimeCard({ runtime, events, liveError, onChanged, onRecreate }: Props) {
  const deleted = runtime.desiredState === 'DELETED';
  const canOpen = runtime.status.ready && runtime.desiredState === 'RUNNING';
  return (
    <>
      <Card
        title={
          <>
            Status <PhaseBadge phase={runtime.status.phase} ready={runtime.status.ready} />
          </>
        }
      >
        <p className="status-line" aria-live="polite" data-testid="runtime-message">
          {runtime.status.message}
        </p>
        <RuntimeProgress runtime={runtime} />
        <AutoStop runtime={runtime} />
        <div className="row open-row">
          {canOpen ? (
            <a className="btn btn-primary" href={runtime.openUrl} target="_blank" rel="noopener">
              Open workspace <span aria-hidden="true">↗</span>
              <span className="sr-only"> (opens in a new tab)</span>
            </a>
          ) : (
            !deleted && <p className="hint">“Open workspace” appears once the runtime is ready.</p>
          )}
        </div>
        {deleted ? (
          <div className="row">
            <p>This runtime has been deleted.</p>
            <Button variant="primary" onClick={onRecreate}>
              Start a new runtime
            </Button>
          </div>
        ) : (
          <RuntimeActions runtime={runtime} onChanged={onChanged} />
        )}
        <Alert kind="warning">{liveError && `Live updates: ${liveError}`}</Alert>
      </Card>
      <Card title="Details">
        <dl className="facts">
          <dt>Wanted state</dt>
          <dd>{titleCase(runtime.desiredState)}</dd>
          <dt>Workspace address</dt>
          <dd className="break">{runtime.openUrl}</dd>
          <dt>Ready since</dt>
          <dd>{runtime.readyAt && runtime.status.ready ? formatDateTime(runtime.readyAt) : '—'}</dd>
          <dt>Last change requested</dt>
          <dd>{formatRelative(runtime.specUpdatedAt)}</dd>
          <dt>Last activity</dt>
          <dd>{runtime.lastActivityAt ? formatRelative(runtime.lastActivityAt) : '—'}</dd>
        </dl>
      </Card>
      {!deleted && <RuntimeLogs runtimeId={runtime.id} />}
      <Card title="Recent events">
        {events.length === 0 ? (
          <p className="empty">No events yet.</p>
        ) : (
          <ol className="events" reversed>
            {[...events].reverse().map((e) => (
              <li key={e.cursor}>
                <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                <span className="event-type">{e.type}</span>
                <span>{e.message || e.reason}</span>
              </li>
            ))}
          </ol>
        )}
      </Card>
    </>
  );
}
