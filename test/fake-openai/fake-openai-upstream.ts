import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * TEST DOUBLE: a fake OpenAI-compatible upstream (chat completions, streaming and not, embeddings,
 * models). Deterministic: the reply is `reply` (default "Hello from the fake upstream."), token counts
 * are word counts, so tests can predict exactly what the ledger must hold. Records every request
 * (headers and parsed body) and counts requests the client abandoned.
 */
export interface FakeOpenAiOptions {
  /** Reject requests whose `Authorization` is not `Bearer <apiKey>`. @default accept anything */
  apiKey?: string;
  /** Text every chat completion answers with. */
  reply?: string;
  /** Delay between streamed chunks, in ms. @default 0 */
  chunkDelayMs?: number;
  /** Time a completion takes before its answer (or first chunk) — a model's latency. @default 0 */
  responseDelayMs?: number;
  /** Embedding dimensions. @default 8 */
  dimensions?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | null;
}

/** Returned by `FakeOpenAi.reported`: the usage objects the fake sent, in order. */
export interface ReportedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface FakeOpenAi {
  url: string;
  port: number;
  requests: RecordedRequest[];
  reported: ReportedUsage[];
  /** Requests whose client went away before the response finished. */
  readonly aborted: number;
  /** Make the next `n` completions answer this status and error body. */
  failNext(status: number, message: string, n?: number): void;
  /** Make the next completion never answer (timeouts) until `release()` or stop. */
  hangNext(): void;
  stop(): Promise<void>;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

function promptText(body: Record<string, unknown>): string {
  const messages = (body.messages as { content?: unknown }[] | undefined) ?? [];
  const input = body.input;
  const parts = messages.map((m) =>
    typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''),
  );
  if (typeof input === 'string') parts.push(input);
  if (Array.isArray(input)) parts.push(...input.map(String));
  return parts.join(' ');
}

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const reply = options.reply ?? 'Hello from the fake upstream.';
  const requests: RecordedRequest[] = [];
  const reported: ReportedUsage[] = [];
  const failures: { status: number; message: string }[] = [];
  let hang = false;
  let aborted = 0;
  const hanging = new Set<ServerResponse>();

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
    const path = (req.url ?? '/').split('?')[0] as string;
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    res.on('close', () => {
      if (!res.writableFinished) aborted++;
    });
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return json(res, 401, {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    }
    if (path.endsWith('/models'))
      return json(res, 200, {
        object: 'list',
        data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }],
      });
    const failure = failures.shift();
    if (failure)
      return json(res, failure.status, {
        error: { message: failure.message, type: 'api_error', code: null },
      });
    if (hang) {
      hang = false;
      hanging.add(res);
      return;
    }
    if (path.endsWith('/embeddings') && body) return embeddings(res, body);
    if (path.endsWith('/chat/completions') && body) return chat(res, body);
    json(res, 404, {
      error: { message: `no route ${path}`, type: 'invalid_request_error', code: null },
    });
  });

  function usage(body: Record<string, unknown>, completion: number): ReportedUsage {
    const prompt = words(promptText(body));
    const u = {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    };
    reported.push(u);
    return u;
  }

  function embeddings(res: ServerResponse, body: Record<string, unknown>): void {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dims = options.dimensions ?? 8;
    const data = inputs.map((text, index) => ({
      object: 'embedding',
      index,
      embedding: Array.from({ length: dims }, (_, i) => ((String(text).length + i) % 7) / 7),
    }));
    const u = usage(body, 0);
    json(res, 200, {
      object: 'list',
      model: body.model,
      data,
      usage: { prompt_tokens: u.prompt_tokens, total_tokens: u.total_tokens },
    });
  }

  async function chat(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const id = `chatcmpl-fake-${requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, created, model: body.model };
    if (options.responseDelayMs) await new Promise((r) => setTimeout(r, options.responseDelayMs));
    if (body.stream !== true) {
      const u = usage(body, words(reply));
      const message = { role: 'assistant', content: reply };
      return json(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, finish_reason: 'stop' }],
        usage: u,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
    const pieces = reply.split(/(?<= )/);
    for (const [i, piece] of pieces.entries()) {
      if (res.destroyed) return;
      const delta = i === 0 ? { role: 'assistant', content: piece } : { content: piece };
      send({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta, finish_reason: null }],
      });
      if (options.chunkDelayMs) await new Promise((r) => setTimeout(r, options.chunkDelayMs));
    }
    if (res.destroyed) return;
    send({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    });
    const wantsUsage = (body.stream_options as { include_usage?: boolean } | undefined)
      ?.include_usage;
    if (wantsUsage)
      send({
        ...base,
        object: 'chat.completion.chunk',
        choices: [],
        usage: usage(body, words(reply)),
      });
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    reported,
    get aborted() {
      return aborted;
    },
    failNext(status, message, n = 1) {
      for (let i = 0; i < n; i++) failures.push({ status, message });
    },
    hangNext() {
      hang = true;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
