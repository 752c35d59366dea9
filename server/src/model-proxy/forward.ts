import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { type Agent, errors } from 'undici';
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
  /**
   * undici, not node:http: its keep-alive pools and parser cost a fraction of ClientRequest's per
   * call, which is most of what the proxy adds. Configured with the headers timeout (time allowed
   * until the upstream's response headers) and the body timeout (longest silence while it streams).
   */
  agent: Agent;
  headersTimeoutMs: number;
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
 * by chunk as they arrive while usage is read on the side, JSON bodies in one write; upstream failures
 * become OpenAI-style errors (502 unreachable/failed, 504 timeout). If the client goes away, the
 * upstream request is aborted at once (status 499 in the ledger).
 */
export async function forward(
  res: ServerResponse,
  call: UpstreamCall,
  s: ForwardSettings,
): Promise<ForwardResult> {
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on('close', onClose);
  try {
    const up = await s.agent.request({
      origin: call.url.origin,
      path: `${call.url.pathname}${call.url.search}`,
      method: 'POST',
      headers: call.headers,
      body: call.body,
      signal: abort.signal,
    });
    const contentType = String(up.headers['content-type'] ?? 'application/json');
    if (up.statusCode < 200 || up.statusCode >= 300) {
      return fail(res, await relayFailure(up, call.model));
    }
    const usage = contentType.includes('text/event-stream')
      ? await relayStream(up.body, res, up.statusCode, contentType)
      : await relayJson(up.body, res, up.statusCode, contentType);
    return { status: up.statusCode, usage };
  } catch (err) {
    if (abort.signal.aborted) return { status: 499, usage: null };
    if (res.headersSent) {
      // Mid-stream failure: the client already has a 200; cutting the stream is all that is left.
      res.destroy();
      return { status: 502, usage: null };
    }
    return fail(res, upstreamFailure(err, call.model, s));
  } finally {
    res.off('close', onClose);
  }
}

function fail(res: ServerResponse, err: ProxyError): ForwardResult {
  sendProxyError(res, err);
  return { status: err.status, usage: null };
}

function upstreamFailure(err: unknown, model: string, s: ForwardSettings): ProxyError {
  if (err instanceof errors.HeadersTimeoutError) {
    return timeout(model, s.headersTimeoutMs, 'to answer');
  }
  if (err instanceof errors.BodyTimeoutError) {
    return timeout(model, s.idleTimeoutMs, 'while streaming (no data)');
  }
  const message = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
  return new ProxyError(
    502,
    'api_error',
    'upstream_unreachable',
    `The upstream for model \`${model}\` could not be reached: ${message}.`,
  );
}

/** A complete JSON answer: relayed in one write with a length (we must read its usage anyway). */
async function relayJson(
  body: Readable,
  res: ServerResponse,
  status: number,
  contentType: string,
): Promise<TokenUsage | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  res.writeHead(status, { 'content-type': contentType, 'content-length': all.length });
  res.end(all);
  try {
    return usageOf(JSON.parse(all.toString('utf8')));
  } catch {
    return null;
  }
}

/** Server-sent events: each chunk goes to the client as it arrives, usage is scanned on the side. */
async function relayStream(
  body: Readable,
  res: ServerResponse,
  status: number,
  contentType: string,
): Promise<TokenUsage | null> {
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  const scanner = new SseUsageScanner();
  for await (const chunk of body) {
    scanner.push(chunk as Buffer);
    if (!res.write(chunk)) await drained(res);
  }
  res.end();
  scanner.end();
  return scanner.usage;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Maps an upstream's non-2xx answer to what the runtime should see. */
async function relayFailure(
  up: {
    statusCode: number;
    headers: Record<string, string | string[] | undefined>;
    body: Readable;
  },
  model: string,
): Promise<ProxyError> {
  const status = up.statusCode;
  let body = '';
  for await (const chunk of up.body) {
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
    const retry = up.headers['retry-after'];
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
