import { type ClientRequest, request } from 'node:http';
import WebSocket from 'ws';

/** A stack frame or a dependency path: what a response body must never contain. */
export const STACK_TRACE = /\bat .+\.(ts|js):\d+|node_modules|\/work\/|\bat async\b/;

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** Written one after another; with `chunked`, without a Content-Length. */
  chunks?: (string | Buffer)[];
  chunked?: boolean;
  /** Source address, e.g. `127.0.0.2`: a loopback peer that is not a trusted proxy. */
  localAddress?: string;
}

/**
 * One HTTP/1.1 request with full control over framing and source address (fetch always adds its own
 * Content-Length and cannot choose the peer address). Resolves with the reply, or with status 0 and
 * the socket error when the server cut the connection before answering.
 */
export function rawRequest(url: string, opts: RawRequest = {}): Promise<RawReply> {
  const u = new URL(url);
  const chunks = opts.chunks ?? [];
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.chunked) headers['transfer-encoding'] = 'chunked';
  else if (chunks.length && !headers['content-length'])
    headers['content-length'] = String(chunks.reduce((n, c) => n + Buffer.byteLength(c), 0));
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: RawReply) => {
      if (!settled) resolve(r);
      settled = true;
    };
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: opts.path ?? `${u.pathname}${u.search}`,
        method: opts.method ?? 'POST',
        headers,
        localAddress: opts.localAddress,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => settle({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', () => settle({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', (err) => settle({ status: 0, headers: {}, body: err.message }));
    (async () => {
      for (const c of chunks) {
        if (req.destroyed) return;
        if (!req.write(c)) await drainedOrClosed(req);
      }
      req.end();
    })();
  });
}

function drainedOrClosed(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its printed seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
  };
}
export type Prng = ReturnType<typeof prng>;

/** The seed from `HOSTILE_SEED` (to replay a failure), else a fresh one; always printed. */
export function seedFor(suite: string): number {
  const fromEnv = Number(process.env.HOSTILE_SEED);
  const seed = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Date.now() % 2 ** 31;
  console.log(`[${suite}] seed ${seed} (replay with HOSTILE_SEED=${seed})`);
  return seed;
}

/** One message of the graphql-transport-ws protocol addressed to an operation. */
export interface WsOperationMessage {
  type: 'next' | 'error' | 'complete';
  payload?: unknown;
}

/**
 * A bare graphql-transport-ws connection (the real client hides protocol errors behind reconnects):
 * `run` sends one `subscribe` and resolves with every message for it up to `complete` or `error`;
 * `closed` tells whether the server ended the socket, and how.
 */
export async function bareGraphqlWs(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, 'graphql-transport-ws', { headers });
  const waiting = new Map<string, { seen: WsOperationMessage[]; done: () => void }>();
  let closed: { code: number; reason: string } | null = null;
  ws.on('close', (code, reason) => {
    closed = { code, reason: String(reason) };
    for (const w of waiting.values()) w.done();
  });
  const acked = new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; id?: string; payload?: unknown };
      if (msg.type === 'connection_ack') resolve();
      const w = msg.id ? waiting.get(msg.id) : undefined;
      if (!w) return;
      w.seen.push({ type: msg.type as WsOperationMessage['type'], payload: msg.payload });
      if (msg.type !== 'next') w.done();
    });
    ws.once('close', () => reject(new Error('closed before connection_ack')));
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await acked;
  let next = 0;
  return {
    run(payload: Record<string, unknown>, timeoutMs = 10_000): Promise<WsOperationMessage[]> {
      const id = String(++next);
      return new Promise((resolve) => {
        const seen: WsOperationMessage[] = [];
        const timer = setTimeout(() => done(), timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(seen);
        };
        waiting.set(id, { seen, done });
        if (closed) return done();
        let message: string;
        try {
          message = JSON.stringify({ type: 'subscribe', id, payload });
        } catch {
          return done(); // too deep even for this side to serialise
        }
        ws.send(message);
      });
    },
    closed: () => closed,
    close: () => ws.close(),
  };
}
