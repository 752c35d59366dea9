import type { EntityManager } from '@mikro-orm/postgresql';
import { Repeater } from 'graphql-yoga';
import { resumableRuntimeEvents } from '../events/resumable-stream.ts';
import type { RuntimeEventHub } from '../events/runtime-event-hub.ts';
import type { EventFilter, RuntimeEventRow } from '../events/runtime-event-rows.ts';
import { InvalidInputError, NotFoundError } from '../graphql/errors.ts';
import {
  assertCanActOn,
  eventFilterFor,
  isUuid,
  type RuntimeRequest,
  requireScope,
  requireViewer,
} from './runtime-access.ts';
import { type RuntimeRecord, runtimeColumns, runtimeFromRow } from './runtime-record.ts';
import { sqlRunner } from './runtime-spec-change.ts';
import { deriveProgress, deriveStatus } from './runtime-status.ts';

/** A request that can subscribe: the runtime services' needs plus the process's event hub. */
export type WatchRequest = RuntimeRequest & { deps: { hub: RuntimeEventHub } };

/** One item of `runtimeStatus`: the runtime as of `cursor`, and the event that moved it (if any). */
export interface RuntimeStatusUpdate {
  cursor: string;
  runtime: RuntimeRecord;
  event: RuntimeEventRow | null;
}

export interface RuntimeProgressUpdate {
  cursor: string;
  runtimeId: string;
  progress: number;
  message: string;
  ready: boolean;
  failed: boolean;
}

/**
 * Events of the runtimes the viewer may see, resumable from `after` (an event cursor). Admins may
 * filter by owner or runtime; users are pinned to their own runtimes and refused anyone else's.
 */
export async function watchRuntimeEvents(
  req: WatchRequest,
  asked: EventFilter,
  after: string | null,
): Promise<AsyncIterableIterator<RuntimeEventRow>> {
  const viewer = requireViewer(req.viewer);
  requireScope(viewer, 'runtime:read');
  const filter = eventFilterFor(viewer, asked);
  if (filter.runtimeId) {
    const snapshot = await readSnapshot(req.em, filter.runtimeId);
    if (!snapshot) throw new NotFoundError('Runtime');
    assertCanActOn(viewer, snapshot.runtime.ownerId);
  }
  return resumableRuntimeEvents(req.deps.hub, req.em, filter, checkCursor(after));
}

/**
 * The runtime's current snapshot first, then a fresh one after each of its events. With `after`, the
 * events since that cursor are replayed (each with the current runtime) before going live; without,
 * the stream continues from the snapshot's own cursor, so nothing between the two is lost.
 */
export async function watchRuntimeStatus(
  req: WatchRequest,
  runtimeId: string,
  after: string | null,
): Promise<AsyncIterableIterator<RuntimeStatusUpdate>> {
  const viewer = requireViewer(req.viewer);
  requireScope(viewer, 'runtime:read');
  const cursor = checkCursor(after);
  const snapshot = await readSnapshot(req.em, runtimeId);
  if (!snapshot) throw new NotFoundError('Runtime');
  assertCanActOn(viewer, snapshot.runtime.ownerId);
  const from = cursor ?? snapshot.cursor;
  const first: RuntimeStatusUpdate = { cursor: from, runtime: snapshot.runtime, event: null };
  const events = resumableRuntimeEvents(req.deps.hub, req.em, { runtimeId }, from);
  return prependAndMap(first, events, (e) => ({ cursor: e.id, runtime: e.runtime, event: e }));
}

/** `runtimeStatus` reduced to KubeSpawner's progress shape. */
export async function watchRuntimeProgress(
  req: WatchRequest,
  runtimeId: string,
): Promise<AsyncIterableIterator<RuntimeProgressUpdate>> {
  const updates = await watchRuntimeStatus(req, runtimeId, null);
  return prependAndMap(null, updates, (u) => {
    const status = deriveStatus(u.runtime);
    return {
      cursor: u.cursor,
      runtimeId: u.runtime.id,
      progress: deriveProgress(u.runtime, u.event?.progress ?? null),
      message: u.event?.message || status.message,
      ready: status.ready,
      failed: status.failed,
    };
  });
}

function checkCursor(after: string | null): string | null {
  if (after === null || after === '') return null;
  if (!/^\d{1,19}$/.test(after))
    throw new InvalidInputError([{ path: 'after', message: 'not an event cursor' }]);
  return after;
}

/** The runtime and the cursor of its latest event, read together in one statement. */
async function readSnapshot(em: EntityManager, runtimeId: string) {
  if (!isUuid(runtimeId)) return null;
  const [row] = await sqlRunner(em)(
    `select ${runtimeColumns('r')},
            (select coalesce(max(e.id), 0)::text from runtime_events e where e.runtime_id = r.id) as cursor
       from runtimes r where r.id = ?`,
    [runtimeId],
  );
  return row ? { runtime: runtimeFromRow(row), cursor: String(row.cursor) } : null;
}

/**
 * `first` (unless null), then `source` mapped. A Repeater rather than an async generator: a client
 * that unsubscribes while the stream is idle must release the hub listener at once, and a generator
 * suspended in `await` only sees `return()` after the next event.
 */
function prependAndMap<S, T>(
  first: T | null,
  source: AsyncIterableIterator<S>,
  mapper: (value: S) => T,
): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    void stop.then(() => source.return?.());
    if (first !== null) await push(first);
    for (let next = await source.next(); !next.done; next = await source.next()) {
      await push(mapper(next.value));
    }
    stop();
  });
}
