import type { EntityManager } from '@mikro-orm/postgresql';
import { CHANNELS } from '../../../schema/domain/channels.ts';
import type { PgListener } from '../db/pg-listener.ts';
import type { Logger } from '../logger.ts';
import { type RuntimeEventRow, readEventsAfter } from './runtime-event-rows.ts';

type Listener = (event: RuntimeEventRow) => void;

/**
 * Fans committed runtime events out to this process's subscribers. One NOTIFY (from any process) ⇒ one
 * query for everything after the process-wide high-water mark ⇒ delivery to every local listener, so
 * the database cost is independent of the number of subscribers.
 */
export class RuntimeEventHub {
  private readonly listeners = new Set<Listener>();
  private highWater = '0';
  private pumping: Promise<void> | null = null;
  private again = false;
  private readonly em: EntityManager;
  private readonly logger: Logger;

  constructor(em: EntityManager, logger: Logger) {
    this.em = em;
    this.logger = logger;
  }

  async start(listener: PgListener): Promise<void> {
    this.highWater = await this.latestId();
    listener.on(CHANNELS.runtimeEvents, () => this.pump());
    // NOTIFYs sent while disconnected are lost; catch up from the high-water mark.
    listener.onReconnect(() => this.pump());
  }

  /** Highest event id this process has delivered; a new subscription is live from here on. */
  get deliveredUpTo(): string {
    return this.highWater;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Coalesces bursts of NOTIFYs: at most one read in flight, plus one more if anything arrived meanwhile. */
  pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.drain()
      .catch((err) => this.logger.error({ err }, 'runtime event fan-out failed'))
      .finally(() => {
        this.pumping = null;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const rows = await readEventsAfter(this.em.fork(), this.highWater, {}, 500);
      for (const row of rows) {
        this.highWater = row.id;
        for (const l of this.listeners) l(row);
      }
      if (rows.length < 500) return;
    }
  }

  private async latestId(): Promise<string> {
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<{ id: string }[]>('select coalesce(max(id), 0)::text as id from runtime_events');
    return rows[0]?.id ?? '0';
  }
}
