import pg from 'pg';
import type { Logger } from '../logger.ts';

type Handler = (payload: string) => void;

/**
 * One LISTEN connection per process, shared by every feature. Reconnects with backoff when the
 * database restarts; `onReconnect` handlers then re-read whatever they may have missed (a NOTIFY sent
 * while disconnected is lost by design, so listeners must be level-triggered).
 */
export class PgListener {
  private client: pg.Client | null = null;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private stopped = false;
  private attempt = 0;
  private readonly url: string;
  private readonly logger: Logger;

  constructor(url: string, logger: Logger) {
    this.url = url;
    this.logger = logger;
  }

  async start(): Promise<void> {
    await this.connect();
  }

  /** False while reconnecting: NOTIFY-driven features (runtime events, cache invalidation) are stale. */
  get connected(): boolean {
    return this.client !== null;
  }

  on(channel: string, handler: Handler): () => void {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      this.listen(channel);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** LISTENs are chained: one pg client must not run queries concurrently. */
  private pending: Promise<unknown> = Promise.resolve();
  private listen(channel: string): void {
    const client = this.client;
    if (!client) return; // connect() listens on every known channel
    this.pending = this.pending.then(() => client.query(`listen "${channel}"`)).catch(() => {});
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true });
    client.on('notification', (msg) => {
      for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    for (const channel of this.handlers.keys()) await client.query(`listen "${channel}"`);
    this.client = client;
    this.attempt = 0;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.stopped || this.client !== client) return;
    this.client = null;
    this.logger.warn({ err: err.message }, 'LISTEN connection lost; reconnecting');
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    while (!this.stopped && !this.client) {
      const delay = Math.min(100 * 2 ** this.attempt++, 5000);
      await new Promise((r) => setTimeout(r, delay));
      try {
        await this.connect();
        for (const h of this.reconnectHandlers) h();
      } catch (err) {
        this.logger.debug({ err: (err as Error).message }, 'reconnect failed');
      }
    }
  }
}
