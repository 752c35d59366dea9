/**
 * A `runtimeEvents` subscriber that behaves like a well-written client: it keeps the cursor of the
 * last event it received and, whenever the stream ends or fails (server restart, database outage,
 * dropped socket), subscribes again with `after: <cursor>`. What it received is then compared with
 * the `runtime_events` table: same ids, same order, no gap, no duplicate.
 */
import { wsClient } from '../testkit/graphql.ts';
import { sleep } from './lifecycle-workload.ts';

const EVENTS = `subscription($after: String) { runtimeEvents(after: $after) { __typename
  ... on RuntimeEvent { cursor type } ... on Error { code message } } }`;

export class ResumingSubscriber {
  /** Cursors (event ids) in the order received. */
  readonly received: string[] = [];
  /** Subscriptions opened after the first one. */
  resubscriptions = 0;
  /** Why streams ended (for the report and for failures). */
  readonly interruptions: string[] = [];
  private cursor: string;
  private stopped = false;
  private dispose: (() => unknown) | null = null;
  private loop: Promise<void> | null = null;
  private readonly wsUrl: () => string;
  private readonly cookie: string;

  /** `wsUrl` is asked again on every (re)subscription, so the subscriber can move between servers. */
  constructor(wsUrl: () => string, cookie: string, after: string) {
    this.wsUrl = wsUrl;
    this.cookie = cookie;
    this.cursor = after;
  }

  get lastCursor(): string {
    return this.cursor;
  }

  start(): void {
    this.loop = (async () => {
      for (let first = true; !this.stopped; first = false) {
        if (!first) {
          this.resubscriptions++;
          await sleep(200);
        }
        await this.subscribeOnce();
      }
    })();
  }

  private async subscribeOnce(): Promise<void> {
    const ws = wsClient(this.wsUrl(), { cookie: this.cookie });
    this.dispose = () => ws.dispose();
    try {
      const stream = ws.client.iterate<{ runtimeEvents: Record<string, string> }>({
        query: EVENTS,
        variables: { after: this.cursor },
      });
      for await (const result of stream) {
        const item = result.data?.runtimeEvents;
        if (item?.__typename !== 'RuntimeEvent') {
          this.interruptions.push(`item: ${JSON.stringify(item ?? result.errors)}`);
          return;
        }
        this.received.push(item.cursor as string);
        this.cursor = item.cursor as string;
      }
      if (!this.stopped) this.interruptions.push('stream completed');
    } catch (err) {
      if (!this.stopped) this.interruptions.push(`error: ${describe(err)}`);
    } finally {
      this.dispose = null;
      await ws.dispose();
    }
  }

  /** Drops the socket as a network failure would; the subscriber resumes from its cursor. */
  async drop(): Promise<void> {
    await this.dispose?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.dispose?.();
    await this.loop;
  }

  /** Differences from `expected` (the table's ids after the start cursor, in id order). */
  differences(expected: string[]): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const id of this.received) {
      if (seen.has(id)) out.push(`duplicate ${id}`);
      seen.add(id);
    }
    const want = new Set(expected);
    const missing = expected.filter((id) => !seen.has(id));
    if (missing.length) out.push(`missing ${missing.length}: ${missing.slice(0, 10).join(', ')}`);
    const extra = [...seen].filter((id) => !want.has(id));
    if (extra.length) out.push(`not in the table: ${extra.slice(0, 10).join(', ')}`);
    const order = this.received.filter((id) => want.has(id));
    if (order.join() !== expected.filter((id) => seen.has(id)).join()) out.push('out of order');
    return out;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (Array.isArray(err)) return JSON.stringify(err).slice(0, 200);
  // graphql-ws rejects with the CloseEvent of the socket
  const close = err as { code?: number; reason?: string };
  return close?.code !== undefined ? `closed ${close.code} ${close.reason ?? ''}` : String(err);
}
