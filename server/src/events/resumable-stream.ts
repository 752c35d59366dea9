import type { EntityManager } from '@mikro-orm/postgresql';
import { Repeater } from 'graphql-yoga';
import type { RuntimeEventHub } from './runtime-event-hub.ts';
import { type EventFilter, type RuntimeEventRow, readEventsAfter } from './runtime-event-rows.ts';

const PAGE = 500;

/**
 * Stored events after `after`, then live ones, with no gap and no duplicate across the switch.
 *
 * The live listener is attached *before* the replay query runs, so an event committed during the
 * replay is either read by the query or buffered from the hub (or both — then the id comparison drops
 * the second copy). Ids are commit-ordered (see schema/db/runtime-events.ts), so "greater than the
 * last id sent" is exactly "not yet sent". Without `after` the stream starts live.
 */
export function resumableRuntimeEvents(
  hub: RuntimeEventHub,
  em: EntityManager,
  filter: EventFilter,
  after: string | null,
): AsyncIterableIterator<RuntimeEventRow> {
  const matches = (e: RuntimeEventRow) =>
    (!filter.runtimeId || e.runtimeId === filter.runtimeId) &&
    (!filter.ownerId || e.ownerId === filter.ownerId);

  return new Repeater<RuntimeEventRow>(async (push, stop) => {
    let last = BigInt(after ?? hub.deliveredUpTo);
    let replaying = after !== null;
    const buffered: RuntimeEventRow[] = [];
    const send = async (e: RuntimeEventRow) => {
      if (BigInt(e.id) <= last) return;
      last = BigInt(e.id);
      await push(e);
    };
    const unsubscribe = hub.subscribe((e) => {
      if (!matches(e)) return;
      if (replaying) buffered.push(e);
      else void send(e);
    });
    try {
      for (let more = replaying; more; ) {
        const rows = await readEventsAfter(em, last.toString(), filter, PAGE);
        for (const row of rows) await send(row);
        more = rows.length === PAGE;
      }
      // Drain what arrived live during the replay; switching to direct delivery happens only when the
      // buffer is empty, in the same tick, so nothing can slip between the two.
      while (buffered.length > 0) await send(buffered.shift() as RuntimeEventRow);
      replaying = false;
    } catch (err) {
      stop(err);
    }
    await stop;
    unsubscribe();
  });
}
