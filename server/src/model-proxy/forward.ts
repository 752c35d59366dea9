import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { ProxyError, sendProxyError } from './openai-error.ts';
import { SseUsageScanner, type TokenUsage, usageOf } from './sse-usage.ts';

/** One request to an upstream, fully prepared (URL, credential headers, rewritten body). */
export interface UpstreamCall {
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
  /** Public model name, for error messages. */
  model: string;
}

export interface ForwardSettings {
  /** Keep-alive agents: connection reuse is most of the proxy's overhead budget. */
  agents: { http: http.Agent; https: https.Agent };
  /** Time allowed until the upstream's response headers. */
  headersTimeoutMs: number;
  /** Longest silence allowed while the upstream streams its body. */
  idleTimeoutMs: number;
}

/** How the exchange ended: the status the client got and what the upstream reported using. */
export interface ForwardResult {
  status: number;
  usage: TokenUsage | null;
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * Sends `call` upstream and relays the answer: streamed (SSE) bodies are written to the client chunk
 * by chunk as they arrive while usage is read on the side, JSON bodies in one write; upstream failures become
 * OpenAI-style errors (502 unreachable/failed, 504 timeout). If the client goes away, the upstream
 * request is destroyed at once (status 499 in the ledger).
 */
export function forward(
  res: ServerResponse,
  call: UpstreamCall,
  s: ForwardSettings,
): Promise<ForwardResult> {
  return new Promise((resolve) => {
    let usage: TokenUsage | null = null;
    let settled = false;
    const done = (status: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(headTimer);
      resolve({ status, usage });
    };
    const fail = (err: ProxyError) => {
      if (settled) return;
      sendProxyError(res, err);
      done(err.status);
      up.destroy();
    };
    const secure = call.url.protocol === 'https:';
    const up = (secure ? https : http).request(call.url, {
      method: 'POST',
      agent: secure ? s.agents.https : s.agents.http,
      headers: { ...call.headers, 'content-length': String(call.body.length) },
    });
    const headTimer = setTimeout(
      () => fail(timeout(call.model, s.headersTimeoutMs, 'to answer')),
      s.headersTimeoutMs,
    );
    up.setTimeout(s.idleTimeoutMs, () =>
      fail(timeout(call.model, s.idleTimeoutMs, 'while streaming (no data)')),
    );
    res.on('close', () => {
      if (res.writableFinished) return;
      up.destroy();
      done(499);
    });
    up.on('error', (err) =>
      fail(
        new ProxyError(
          502,
          'api_error',
          'upstream_unreachable',
          `The upstream for model \`${call.model}\` could not be reached: ${err.message}.`,
        ),
      ),
    );
    up.on('response', (ur) => {
      clearTimeout(headTimer);
      const status = ur.statusCode ?? 502;
      if (status < 200 || status >= 300) {
        relayFailure(ur, call.model).then(fail, () => fail(upstreamError(call.model, status, '')));
        return;
      }
      relaySuccess(ur, res, status, (u) => {
        usage = u;
        done(status);
      });
    });
    up.end(call.body);
  });
}

function relaySuccess(
  ur: IncomingMessage,
  res: ServerResponse,
  status: number,
  onEnd: (usage: TokenUsage | null) => void,
): void {
  const contentType = ur.headers['content-type'] ?? 'application/json';
  if (!contentType.includes('text/event-stream')) {
    // A complete JSON answer: relayed in one write with a length (we must read its usage anyway).
    const chunks: Buffer[] = [];
    ur.on('data', (chunk: Buffer) => chunks.push(chunk));
    ur.on('end', () => {
      const body = Buffer.concat(chunks);
      res.writeHead(status, { 'content-type': contentType, 'content-length': body.length });
      res.end(body);
      try {
        onEnd(usageOf(JSON.parse(body.toString('utf8'))));
      } catch {
        onEnd(null);
      }
    });
    ur.on('error', () => res.destroy());
    return;
  }
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  const scanner = new SseUsageScanner();
  ur.on('data', (chunk: Buffer) => {
    scanner.push(chunk);
    if (!res.write(chunk)) {
      ur.pause();
      res.once('drain', () => ur.resume());
    }
  });
  ur.on('end', () => {
    res.end();
    scanner.end();
    onEnd(scanner.usage);
  });
  ur.on('error', () => res.destroy());
}

/** Maps an upstream's non-2xx answer to what the runtime should see. */
async function relayFailure(ur: IncomingMessage, model: string): Promise<ProxyError> {
  const status = ur.statusCode ?? 502;
  let body = '';
  for await (const chunk of ur) {
    if (body.length < MAX_ERROR_BODY) body += String(chunk);
  }
  const detail = upstreamMessage(body);
  if (status === 400 || status === 413 || status === 422) {
    return new ProxyError(status, 'invalid_request_error', 'upstream_rejected_request', detail);
  }
  if (status === 401 || status === 403) {
    return new ProxyError(
      502,
      'api_error',
      'upstream_auth_failed',
      `The upstream for model \`${model}\` rejected the platform's credential (${status}); tell your administrator.`,
    );
  }
  if (status === 429) {
    const retry = ur.headers['retry-after'];
    return new ProxyError(
      429,
      'rate_limit_error',
      'upstream_rate_limited',
      `The upstream for model \`${model}\` is rate limiting: ${detail}`,
      typeof retry === 'string' ? { 'retry-after': retry } : {},
    );
  }
  if (status === 408 || status === 504) return timeout(model, 0, `(upstream ${status})`);
  return upstreamError(model, status, detail);
}

function upstreamMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } | string; message?: string };
    const e = parsed.error;
    const msg = typeof e === 'string' ? e : (e?.message ?? parsed.message);
    if (msg) return String(msg).slice(0, 500);
  } catch {
    // not JSON
  }
  return body.slice(0, 500) || 'no details';
}

function upstreamError(model: string, status: number, detail: string): ProxyError {
  return new ProxyError(
    502,
    'api_error',
    'upstream_error',
    `The upstream for model \`${model}\` failed (${status})${detail ? `: ${detail}` : '.'}`,
  );
}

function timeout(model: string, ms: number, what: string): ProxyError {
  const after = ms ? ` after ${Math.round(ms / 1000)} s` : '';
  return new ProxyError(
    504,
    'timeout_error',
    'upstream_timeout',
    `The upstream for model \`${model}\` timed out${after} ${what}.`,
  );
}
