import { useState } from 'react';
import { PhaseBadge } from '../../components/phase-badge.tsx';
import { RuntimeActions } from '../../components/runtime-actions.tsx';
import { RuntimeLogs } from '../../components/runtime-logs.tsx';
import { Badge, Button } from '../../components/ui.tsx';
import type { RuntimeViewFragment } from '../../gql/graphql.ts';
import { formatRelative } from '../../lib/format.ts';

/** One runtime in the admin table, with its actions and (on demand) its console log below it. */
export function RuntimeRow({
  runtime: r,
  onChanged,
}: {
  runtime: RuntimeViewFragment;
  onChanged(r: RuntimeViewFragment): void;
}) {
  const [logs, setLogs] = useState(false);
  return (
    <>
      <tr data-testid={`runtime-row-${r.owner.username}`}>
        <td data-label="Owner">
          <strong>{r.owner.username}</strong>
          {r.owner.status === 'DISABLED' && (
            <>
              {' '}
              <Badge tone="bad">disabled</Badge>
            </>
          )}
        </td>
        <td data-label="Phase">
          <PhaseBadge phase={r.status.phase} ready={r.status.ready} />
        </td>
        <td data-label="Message" className="wrap">
          {r.status.failed ? r.status.lastError || r.status.message : r.status.message}
        </td>
        <td data-label="Progress">
          <progress
            max={100}
            value={r.progress}
            aria-label={`${r.owner.username}: ${r.progress}%`}
          />
        </td>
        <td data-label="Changed">{formatRelative(r.specUpdatedAt)}</td>
        <td data-label="">
          <div className="row">
            <RuntimeActions runtime={r} compact onChanged={onChanged} />
            <Button variant="ghost" aria-expanded={logs} onClick={() => setLogs(!logs)}>
              {logs ? 'Hide log' : 'Log'}
              <span className="sr-only"> of {r.owner.username}'s runtime</span>
            </Button>
          </div>
        </td>
      </tr>
      {logs && (
        <tr className="row-detail">
          <td colSpan={6}>
            <RuntimeLogs runtimeId={r.id} open />
          </td>
        </tr>
      )}
    </>
  );
}
