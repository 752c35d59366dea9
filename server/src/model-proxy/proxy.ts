import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'undici';
import type { ActivitySink } from '../activity/activity-recorder.ts';
import type { Route } from '../app.ts';
import type { PgListener } from '../db/pg-listener.ts';
import type { Logger } from '../logger.ts';
import { modelProxyDuration, modelProxyRequests, modelProxyTokens } from '../metrics/registry.ts';
import { AccessCache, type Principal, type ResolvedRoute } from './access-cache.ts';
import { BudgetGate } from './budget-gate.ts';
import type { CredentialCipher } from './credential-cipher.ts';
import { type ForwardSettings, forward } from './forward.ts';
import { costOf, type Sql } from './ledger.ts';
import { badRequest, modelNotFound, ProxyError, sendProxyError } from './openai-error.ts';
import { prepareCall } from './prepare.ts';
import { UsageRecorder } from './usage-recorder.ts';

export interface ModelProxyDeps {
  sql: Sql;
  listener: PgListener;
  cipher: CredentialCipher;
  logger: Logger;
}

export interface ModelProxyOptions {
  /** Path prefix the proxy answers under. @default '/v1' */
  prefix?: string;
  /** Largest accepted request body in bytes (chat turns carry whole conversations). @default 16 MiB */
  maxBodyBytes?: number;
  /** Time allowed until an upstream's response headers. @default 120_000 */
  headersTimeoutMs?: number;
  /** Longest silence allowed inside an upstream's streamed body. @default 120_000 */
  idleTimeoutMs?: number;
  /** See BudgetGate. @default 5000 */
  budgetRefreshMs?: number;
  /** Usage batch window. @default 50 */
  usageFlushMs?: number;
  /**
   * Model calls (chat completions, embeddings; not `GET /models`) are activity of the calling
   * runtime, at their start and their end (a long stream keeps it active). @default none
   */
  activity?: ActivitySink;
}

/**
 * The credential proxy: an OpenAI-compatible surface (`GET /v1/models`, `POST /v1/chat/completions`,
 * `POST /v1/embeddings`) that authenticates a per-runtime key, enforces grants, budgets and rate
 * limits, injects the route's upstream credential, and records one ledger row per forwarded request.
 * Runtimes never see an upstream credential. `route` mounts on buildApp; `main.ts` runs it alone.
 */
export function createModelProxy(deps: ModelProxyDeps, options: ModelProxyOptions = {}) {
  const prefix = options.prefix ?? '/v1';
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const access = new AccessCache(deps.sql, deps.cipher);
  const gate = new BudgetGate(deps.sql, { refreshMs: options.budgetRefreshMs });
  const recorder = new UsageRecorder(deps.sql, deps.logger, { flushMs: options.usageFlushMs });
  const headersTimeoutMs = options.headersTimeoutMs ?? 120_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
  const settings: ForwardSettings = {
    agent: new Agent({
      connections: 256,
      headersTimeout: headersTimeoutMs,
      bodyTimeout: idleTimeoutMs,
    }),
    headersTimeoutMs,
    idleTimeoutMs,
  };
  const offs = [access.listen(deps.listener), gate.listen(deps.listener)];

  async function complete(
    req: IncomingMessage,
    res: ServerResponse,
    who: Principal,
    endpoint: 'chat' | 'embeddings',
  ): Promise<void> {
    const started = performance.now();
    options.activity?.touch(who.runtimeId);
    const body = await readJson(req, maxBody);
    const model = typeof body.model === 'string' ? body.model : '';
    if (!model) throw badRequest('`model` is required.', 'missing_model');
    const route = (await access.routesOf(who.userId)).get(model);
    if (!route) throw modelNotFound(model);
    await gate.check(who.userId, who.runtimeId);
    const call = prepareCall(route, endpoint, body, who.userId);
    const result = await forward(res, call, settings);
    options.activity?.touch(who.runtimeId);
    record(who, route, endpoint, body.stream === true, result, started);
  }

  function record(
    who: Principal,
    route: ResolvedRoute,
    endpoint: 'chat' | 'embeddings',
    stream: boolean,
    result: Awaited<ReturnType<typeof forward>>,
    started: number,
  ): void {
    const prompt = result.usage?.promptTokens ?? 0;
    const completion = result.usage?.completionTokens ?? 0;
    const cost = result.usage ? costOf(route, prompt, completion) : null;
    gate.add(who.userId, prompt + completion, cost);
    modelProxyTokens.inc({ kind: 'prompt' }, prompt);
    modelProxyTokens.inc({ kind: 'completion' }, completion);
    recorder.record({
      userId: who.userId,
      runtimeId: who.runtimeId,
      routeId: route.id,
      model: route.name,
      endpoint,
      stream,
      promptTokens: prompt,
      completionTokens: completion,
      costUsd: cost,
      latencyMs: Math.round(performance.now() - started),
      status: result.status,
      at: new Date(),
    });
  }

  async function listModels(res: ServerResponse, who: Principal): Promise<void> {
    const routes = [...(await access.routesOf(who.userId)).values()].filter((r) => r.visible);
    const data = routes.map((r) => ({
      id: r.name,
      object: 'model',
      created: Math.floor(r.createdAt.getTime() / 1000),
      owned_by: 'clawloops',
    }));
    const json = JSON.stringify({ object: 'list', data });
    res.writeHead(200, { 'content-type': 'application/json' }).end(json);
  }

  const route: Route = async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return false;
    const op = path.slice(prefix.length + 1);
    const endpoint = KNOWN_OPS.has(op) ? op : 'other';
    const endTimer = modelProxyDuration.startTimer({ endpoint });
    try {
      const who = await access.authenticate(req.headers.authorization);
      if (op === 'models' && req.method === 'GET') await listModels(res, who);
      else if (op === 'chat/completions' && req.method === 'POST')
        await complete(req, res, who, 'chat');
      else if (op === 'embeddings' && req.method === 'POST')
        await complete(req, res, who, 'embeddings');
      else
        throw new ProxyError(
          404,
          'not_found_error',
          'unknown_url',
          `Unknown request URL: ${req.method} ${path}.`,
        );
    } catch (err) {
      if (err instanceof ProxyError) sendProxyError(res, err);
      else {
        deps.logger.error({ err }, 'model proxy request failed');
        sendProxyError(res, new ProxyError(500, 'api_error', 'internal_error', 'Internal error.'));
      }
    }
    endTimer();
    modelProxyRequests.inc({ endpoint, status: String(res.statusCode) });
    return true;
  };

  return {
    route,
    /** For tests: pending usage rows written now. */
    flushUsage: () => recorder.flush(),
    async stop(): Promise<void> {
      for (const off of offs) off();
      await recorder.flush();
      await settings.agent.destroy();
    },
  };
}

export type ModelProxy = ReturnType<typeof createModelProxy>;

/** Metric label values: the known operations, everything else as `other` (bounded cardinality). */
const KNOWN_OPS = new Set(['models', 'chat/completions', 'embeddings']);

function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const tooLarge = () =>
    new ProxyError(
      413,
      'invalid_request_error',
      'request_too_large',
      `Request bodies are limited to ${max} bytes.`,
    );
  if (Number(req.headers['content-length'] ?? 0) > max) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        if (value && typeof value === 'object' && !Array.isArray(value))
          return resolve(value as Record<string, unknown>);
      } catch {
        // fall through
      }
      reject(badRequest('The body must be a JSON object.', 'invalid_json'));
    });
  });
}
