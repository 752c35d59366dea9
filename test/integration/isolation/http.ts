import { type IncomingHttpHeaders, request } from 'node:http';
import WebSocket from 'ws';
import type { GqlAuth } from '../../testkit/graphql.ts';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Call {
  method?: string;
  /** The `Host` header: runtime hosts such as `u-alice.localhost:8080` need no DNS. */
  host: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Request headers carrying a GraphQL-style auth (cookie and/or bearer). */
export function authHeaders(auth: GqlAuth): Record<string, string> {
  const h: Record<string, string> = {};
  if (auth.cookie) h.cookie = auth.cookie;
  if (auth.bearer) h.authorization = `Bearer ${auth.bearer}`;
  return h;
}

/** One HTTP request to the server on 127.0.0.1:`port`, with an explicit Host. */
export function send(port: number, call: Call): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: call.path,
        method: call.method ?? 'GET',
        headers: { host: call.host, ...call.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}

/** What a response shows a caller, minus the cookies and redirects a successful flow sets. */
export function visibleText(reply: Reply): string {
  const { 'set-cookie': _c, location: _l, ...headers } = reply.headers;
  return `${reply.status} ${JSON.stringify(headers)}\n${reply.body}`;
}

export type UpgradeResult =
  | { kind: 'open'; firstMessage: string }
  | { kind: 'refused'; status: number; body: string }
  | { kind: 'closed' };

/** A WebSocket upgrade on `host`; resolves once it is refused, or open with its first message. */
export function upgrade(
  port: number,
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<UpgradeResult> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { host, ...headers } });
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ kind: 'closed' });
    }, 10_000);
    const done = (r: UpgradeResult) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(r);
    };
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => done({ kind: 'refused', status: res.statusCode ?? 0, body }));
    });
    ws.on('message', (data) => done({ kind: 'open', firstMessage: data.toString() }));
    ws.on('close', () => done({ kind: 'closed' }));
    ws.on('error', () => {});
  });
}

/** The first `next` payload of a GraphQL-over-SSE response (keep-alive comments skipped). */
export async function firstSseItem(
  res: Response,
  timeoutMs: number,
): Promise<Record<string, unknown> | null> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5))
          .join('');
        if (/^event: ?next/m.test(block) && data) return JSON.parse(data);
        if (/^event: ?complete/m.test(block)) return null;
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ done: true; value: undefined }>((r) => {
        timer = setTimeout(() => r({ done: true, value: undefined }), deadline - Date.now());
      });
      const { value, done } = await Promise.race([reader.read(), timeout]).finally(() =>
        clearTimeout(timer),
      );
      if (done) return null;
      buffer += decoder.decode(value, { stream: true });
    }
    return null;
  } finally {
    await reader.cancel().catch(() => {});
  }
}
