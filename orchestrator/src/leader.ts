/**
 * Leader election in PostgreSQL: the active orchestrator holds a session-level advisory lock on a
 * dedicated connection, and LISTENs for spec changes on that same connection. If the process dies the
 * connection closes, the lock is released at once, and a standby (polling every `pollMs`) takes over —
 * well within the 15 s budget. If the connection is lost, this process steps down before reconnecting,
 * so two orchestrators never reconcile at once while both can reach the database.
 */
import pg from 'pg';
import { CHANNELS, ORCHESTRATOR_LEADER_LOCK } from '../../schema/domain/channels.ts';
import type { Logger } from './logger.ts';

export interface LeaderOptions {
  databaseUrl: string;
  logger: Logger;
  /** Called on election; returns the function that steps down. */
  lead: () => Promise<() => Promise<void>>;
  /** A runtime's spec changed (NOTIFY from the server). */
  onSpecChange: (runtimeId: string) => void;
  /** Standby poll and leader heartbeat period. @default 2000 */
  pollMs?: number;
}

export function startLeaderElection(o: LeaderOptions) {
  const pollMs = o.pollMs ?? 2000;
  let stopped = false;
  let client: pg.Client | null = null;
  let stepDown: (() => Promise<void>) | null = null;
  let isLeader = false;

  async function demote(reason: string): Promise<void> {
    if (!isLeader) return;
    isLeader = false;
    o.logger.warn({ reason }, 'stepping down as leader');
    const down = stepDown;
    stepDown = null;
    await down?.();
  }

  async function attempt(): Promise<void> {
    if (!client) {
      const c = new pg.Client({ connectionString: o.databaseUrl, keepAlive: true });
      c.on('error', () => {});
      c.on(
        'notification',
        (m) => m.channel === CHANNELS.runtimeSpec && m.payload && o.onSpecChange(m.payload),
      );
      await c.connect();
      client = c;
    }
    if (isLeader) {
      await client.query('select 1'); // heartbeat: throws if the connection is gone
      return;
    }
    const res = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [
      ORCHESTRATOR_LEADER_LOCK,
    ]);
    if (!res.rows[0]?.ok) return;
    await client.query(`listen ${CHANNELS.runtimeSpec}`);
    isLeader = true;
    o.logger.info('elected leader');
    stepDown = await o.lead();
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        await attempt();
      } catch (err) {
        await demote((err as Error).message);
        const lost = client as pg.Client | null;
        client = null;
        await lost?.end().catch(() => {});
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();

  return {
    get isLeader() {
      return isLeader;
    },
    async stop(): Promise<void> {
      stopped = true;
      await loop;
      await demote('shutdown');
      await client?.end().catch(() => {});
    },
  };
}
