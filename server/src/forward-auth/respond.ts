import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Decision, Deny as DenyDecision } from './types.ts';

type Deny = DenyDecision;

/** Headers and body of a denial: JSON for programs, a small page for browser navigations. */
export function renderDenial(
  d: Deny,
  publicOrigin: string,
): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (d.location) headers.location = d.location;
  let body: string;
  if (d.html) {
    headers['content-type'] = 'text/html; charset=utf-8';
    const link = d.location ?? d.body.retryUrl ?? publicOrigin;
    body = `<!doctype html><meta charset="utf-8"><title>ClawLoops</title>
<p>${escapeHtml(d.body.message)}</p><p><a href="${escapeHtml(link)}">Go to ClawLoops</a></p>\n`;
  } else {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(d.body);
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  return { headers, body };
}

/** Answers an HTTP request with a decision (ForwardAuth: 200 + identity headers, or the denial). */
export function sendDecision(res: ServerResponse, d: Decision, publicOrigin: string): void {
  if (d.allow) {
    res.writeHead(200, { ...d.headers, 'cache-control': 'no-store', 'content-length': '0' });
    res.end();
    return;
  }
  const { headers, body } = renderDenial(d, publicOrigin);
  res.writeHead(d.status, headers);
  res.end(body);
}

/** Refuses a WebSocket upgrade with the denial's status, on the raw socket. */
export function refuseUpgrade(socket: Duplex, d: Deny, publicOrigin: string): void {
  const { headers, body } = renderDenial({ ...d, html: false }, publicOrigin);
  const lines = Object.entries({ ...headers, connection: 'close' }).map(([k, v]) => `${k}: ${v}`);
  socket.end(
    `HTTP/1.1 ${d.status} ${STATUS_TEXT[d.status]}\r\n${lines.join('\r\n')}\r\n\r\n${body}`,
  );
}

const STATUS_TEXT: Record<Deny['status'], string> = {
  302: 'Found',
  303: 'See Other',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  503: 'Service Unavailable',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
