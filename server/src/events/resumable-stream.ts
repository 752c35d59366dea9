import type { EntityManager } from '@mikro-orm/postgresql';
import { Repeater } from 'graphql-yoga';
import type { RuntimeEventHub } from './runtime-event-hub.ts';
import { type EventFilter, type RuntimeEventRow, readEventsAfter } from './runtime-event-rows.ts';

const PAGE = 500;

export interface ResumableOptions {
  /**
   * Live events held for a subscriber that reads slower than they arrive. Past this the backlog is
   * dropped and the stream catches up from the database instead, so a slow client costs bounded memory
   * and still misses nothing. @default 1000
   */
  maxBacklog?: number;
}

/**
 * Stored events after `after`, then live ones, with no gap and no duplicate across the switch.
 *
 * The live listener is attached *before* any database read, so an event committed during a read is
 * either returned by it or queued from the hub (or both — then the id comparison drops the second
 * copy). Ids are commit-ordered (see schema/db/runtime-events.ts), so "greater than the last id sent"
 * is exactly "not yet sent". The same catch-up path serves the initial replay and a subscriber whose
 * backlog overflowed. Without `after` the stream starts live.
 */
export function resumableRuntimeEvents(
  hub: RuntimeEventHub,
  em: EntityManager,
  filter: EventFilter,
  after: string | null,
  options: ResumableOptions = {},
): AsyncIterableIterator<RuntimeEventRow> {
  const maxBacklog = options.maxBacklog ?? 1000;
  const matches = (e: RuntimeEventRow) =>
    (!filter.runtimeId || e.runtimeId === filter.runtimeId) &&
    (!filter.ownerId || e.ownerId === filter.ownerId);

  return new Repeater<RuntimeEventRow>(async (push, stop) => {
    let last = BigInt(after ?? hub.deliveredUpTo);
    let catchUp = after !== null;
    let queue: RuntimeEventRow[] = [];
    let wake: (() => void) | null = null;
    let stopped = false;
    const unsubscribe = hub.subscribe((e) => {
      if (!matches(e)) return;
      if (queue.length >= maxBacklog) {
        // Everything queued is committed, so the catch-up read will return it again.
        queue = [];
        catchUp = true;
      } else queue.push(e);
      wake?.();
    });
    void stop.then(() => {
      stopped = true;
      wake?.();
    });
    const send = async (e: RuntimeEventRow) => {
      if (BigInt(e.id) <= last) return;
      last = BigInt(e.id);
      await push(e);
    };
    try {
      while (!stopped) {
        if (catchUp) {
          catchUp = false;
          queue = [];
          for (let more = true; more && !stopped; ) {
            const rows = await readEventsAfter(em, last.toString(), filter, PAGE);
            for (const row of rows) await send(row);
            more = rows.length === PAGE;
          }
        } else if (queue.length > 0) {
          const batch = queue;
          queue = [];
          for (const e of batch) if (!catchUp && !stopped) await send(e);
        } else {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      }
    } catch (err) {
      stop(err);
    } finally {
      unsubscribe();
    }
  });
}
