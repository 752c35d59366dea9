import { appendRuntimeEvent, type NewRuntimeEvent } from '../../../schema/db/runtime-events.ts';
import type { Condition } from '../../../schema/domain/conditions.ts';
import type { RuntimePhase } from '../../../schema/domain/enums.ts';
import { sqlRunner } from '../../../server/src/services/runtime-spec-change.ts';
import type { TestServer } from '../../testkit/server.ts';

/** Fixtures for the runtime API tests: plain SQL where the tests play the orchestrator. */

export const globalRuntimeId = (id: string) => Buffer.from(`Runtime:${id}`).toString('base64');

export function sql(server: TestServer, query: string, params: unknown[] = []) {
  return sqlRunner(server.deps.orm.em.fork())(query, params);
}

/** Appends one event the way the orchestrator does (own transaction, advisory lock, NOTIFY). */
export async function appendEvent(
  server: TestServer,
  runtimeId: string,
  event: Partial<Omit<NewRuntimeEvent, 'runtimeId'>> = {},
): Promise<string> {
  const em = server.deps.orm.em.fork();
  const { id } = await em.transactional((tem) =>
    appendRuntimeEvent(sqlRunner(tem), {
      runtimeId,
      type: event.type ?? 'Progress',
      phase: event.phase ?? 'Starting',
      message: event.message ?? 'working',
      reason: event.reason ?? 'Test',
      progress: event.progress ?? null,
    }),
  );
  return id;
}

export interface ObservedStatus {
  phase: RuntimePhase;
  conditions?: Condition[];
  observedGeneration?: number;
  lastError?: string | null;
  endpoint?: string | null;
  /** Also append an event (as the orchestrator does when the phase or message changes). */
  event?: { type: string; message: string; progress?: number | null };
}

/** Writes status columns as the orchestrator's status writer would, in one transaction. */
export async function observe(
  server: TestServer,
  runtimeId: string,
  s: ObservedStatus,
): Promise<void> {
  const em = server.deps.orm.em.fork();
  await em.transactional(async (tem) => {
    const run = sqlRunner(tem);
    await run(
      `update runtimes set phase = ?, conditions = ?::jsonb,
              observed_generation = coalesce(?, generation), last_error = ?, endpoint = ?,
              ready_at = case when ? then now() else null end, status_updated_at = now()
        where id = ?`,
      [
        s.phase,
        JSON.stringify(s.conditions ?? []),
        s.observedGeneration ?? null,
        s.lastError ?? null,
        s.endpoint ?? null,
        s.phase === 'Running',
        runtimeId,
      ],
    );
    if (s.event) {
      await appendRuntimeEvent(run, { runtimeId, phase: s.phase, reason: 'Test', ...s.event });
    }
  });
}

export function condition(
  type: Condition['type'],
  status: Condition['status'],
  message = '',
): Condition {
  return {
    type,
    status,
    reason: 'Test',
    message,
    lastTransitionTime: new Date().toISOString(),
    observedGeneration: 1,
  };
}

/** Counts SQL statements the server process sends while `fn` runs (every ORM/raw query goes
 * through the connection's `execute`). */
export async function countStatements<T>(server: TestServer, fn: () => Promise<T>) {
  const conn = server.deps.orm.em.getConnection() as unknown as {
    execute: (...args: unknown[]) => Promise<unknown>;
  };
  const original = conn.execute;
  const statements: string[] = [];
  conn.execute = function (this: unknown, ...args: unknown[]) {
    statements.push(String(args[0]));
    return original.apply(this, args);
  };
  try {
    const result = await fn();
    return { result, statements };
  } finally {
    conn.execute = original;
  }
}

/** Takes `n` items from an async iterator, failing after `ms`. */
export async function take<T>(it: AsyncIterator<T>, n: number, ms = 10_000): Promise<T[]> {
  const out: T[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${out.length}/${n} items`)),
        Math.max(deadline - Date.now(), 0),
      );
    });
    const next = await Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
    if (next.done) throw new Error(`stream ended after ${out.length}/${n} items`);
    out.push(next.value);
  }
  return out;
}

/** Resolves when `check` holds (polling), or fails after `ms`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
