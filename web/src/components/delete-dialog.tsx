import { useState } from 'react';
import type { RetentionPolicy } from '../gql/graphql.ts';
import { ConfirmDialog } from './dialog.tsx';

/** Deleting asks what happens to the workspace: kept for a later start, or wiped for good. */
export function DeleteDialog({
  open,
  busy,
  owner,
  onCancel,
  onConfirm,
}: {
  open: boolean;
  busy: boolean;
  /** Whose runtime (admins); null for your own. */
  owner: string | null;
  onCancel(): void;
  onConfirm(retention: RetentionPolicy): void;
}) {
  const [retention, setRetention] = useState<RetentionPolicy>('PRESERVE');
  return (
    <ConfirmDialog
      open={open}
      title={owner ? `Delete ${owner}'s runtime?` : 'Delete your runtime?'}
      confirmLabel={retention === 'WIPE' ? 'Delete and wipe' : 'Delete runtime'}
      danger
      busy={busy}
      onCancel={onCancel}
      onConfirm={() => onConfirm(retention)}
    >
      <p>The runtime stops and is removed. What should happen to the workspace files?</p>
      <fieldset className="choices">
        <legend className="sr-only">Workspace</legend>
        <label className="choice">
          <input
            type="radio"
            name="retention"
            value="PRESERVE"
            checked={retention === 'PRESERVE'}
            onChange={() => setRetention('PRESERVE')}
          />
          <span>
            <strong>Keep the workspace</strong>
            <br />A new runtime started later finds the files again.
          </span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="retention"
            value="WIPE"
            checked={retention === 'WIPE'}
            onChange={() => setRetention('WIPE')}
          />
          <span>
            <strong>Wipe the workspace</strong>
            <br />
            Every file is deleted. This cannot be undone.
          </span>
        </label>
      </fieldset>
    </ConfirmDialog>
  );
}
