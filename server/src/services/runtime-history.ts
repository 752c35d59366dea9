import type { EntityManager } from '@mikro-orm/postgresql';
import { EVENT_COLUMNS, eventFromRow, type RuntimeEventRow } from '../events/runtime-event-rows.ts';
import { sqlRunner } from './runtime-spec-change.ts';

export interface EventPageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface EventPage {
  events: RuntimeEventRow[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Page size when the client names none, and the most it may ask for. */
export const EVENT_PAGE = { default: 20, max: 500 } as const;

const cursorOk = (c: string | null | undefined): c is string =>
  typeof c === 'string' && /^\d{1,19}$/.test(c);

/**
 * A runtime's history, oldest first. Cursors are global event ids — the same cursors the
 * subscriptions resume from, so a client can read `last: 20`, then subscribe with
 * `after: pageInfo.endCursor` and see every later event exactly once. Without `first`, the newest
 * events are returned (a dashboard's "recent activity"). One statement.
 */
export async function listRuntimeEvents(
  em: EntityManager,
  runtimeId: string,
  args: EventPageArgs,
): Promise<EventPage> {
  const backwards = args.first == null;
  const size = Math.min(
    Math.max((backwards ? args.last : args.first) ?? EVENT_PAGE.default, 0),
    EVENT_PAGE.max,
  );
  const params: unknown[] = [runtimeId];
  let where = 'e.runtime_id = ?';
  if (cursorOk(args.after)) {
    where += ' and e.id > ?';
    params.push(args.after);
  }
  if (cursorOk(args.before)) {
    where += ' and e.id < ?';
    params.push(args.before);
  }
  const rows = await sqlRunner(em)(
    `select ${EVENT_COLUMNS} from runtime_events e join runtimes r on r.id = e.runtime_id
      where ${where} order by e.id ${backwards ? 'desc' : 'asc'} limit ?`,
    [...params, size + 1],
  );
  const more = rows.length > size;
  const events = rows.slice(0, size).map(eventFromRow);
  if (backwards) events.reverse();
  return {
    events,
    hasNextPage: backwards ? cursorOk(args.before) : more,
    hasPreviousPage: backwards ? more : cursorOk(args.after),
  };
}
