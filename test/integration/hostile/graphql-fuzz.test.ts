import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../../server/src/auth/csrf.ts';
import { seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { createFuzzer, type FuzzRequest } from './graphql-fuzz.ts';
import { bareGraphqlWs, prng, rawRequest, STACK_TRACE, seedFor } from './hostile-kit.ts';

/**
 * GraphQL fuzzing from the served schema (its introspection): a few thousand generated requests
 * over HTTP and a few hundred operations over graphql-ws, anonymous, as a user (cookie) and as an
 * admin (API token). Every answer must be a well-formed GraphQL result whose errors all carry a
 * code — never INTERNAL (an unexpected server error) and never a stack trace — the sockets must
 * stay open, the server must stay up, and its heap must not grow without bound.
 */
const HTTP_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2500);
const WS_OPERATIONS = Number(process.env.FUZZ_WS_OPERATIONS ?? 300);
const CONCURRENCY = 8;
const REPLAYED = 1000;
/** Generous: Yoga's document caches alone reach ~85 MiB on this mix. */
const HEAP_GROWTH_LIMIT = 192 * 1024 * 1024;
const REPLAY_GROWTH_LIMIT = 16 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

let server: TestServer;
let auths: Record<string, Record<string, string>>;
let schemaOf: ReturnType<typeof buildClientSchema>;
beforeAll(async () => {
  server = await startTestServer();
  const s = seed(server);
  const admin = await s.createUser({ role: 'admin' });
  const user = await s.createUser();
  const token = await s.createApiToken(admin, [
    'users:read',
    'users:write',
    'runtime:read',
    'runtime:write',
    'audit:read',
  ] as never);
  auths = {
    anonymous: {},
    user: { cookie: await s.loginAs(user), [CSRF_HEADER]: '1' },
    admin: { authorization: `Bearer ${token}` },
  };
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  schemaOf = buildClientSchema(((await res.json()) as { data: IntrospectionQuery }).data);
});
afterAll(() => server?.stop());

type Problem = { category: string; auth: string; status: number; why: string; request: string };

/** What is wrong with one HTTP answer, or null. */
function judge(status: number, body: string): string | null {
  if (STACK_TRACE.test(body)) return 'stack trace in the body';
  if (![200, 400, 403, 405, 413, 415, 429].includes(status)) return `status ${status}`;
  let json: {
    data?: unknown;
    errors?: { message?: unknown; extensions?: { code?: unknown } }[];
    code?: unknown;
  };
  try {
    json = JSON.parse(body);
  } catch {
    return 'not JSON';
  }
  if (status === 413 || (status === 405 && !json.errors)) return json.code ? null : 'no code';
  if (!('data' in json) && !json.errors?.length) return 'neither data nor errors';
  for (const e of json.errors ?? []) {
    if (typeof e.message !== 'string') return 'error without a message';
    const code = e.extensions?.code;
    if (typeof code !== 'string') return `error without a code: ${e.message}`;
    if (code === 'INTERNAL' || e.message === 'Unexpected error.')
      return `unexpected server error (${code})`;
  }
  return null;
}

function outcome(body: string): string {
  try {
    const json = JSON.parse(body) as { data?: unknown; errors?: unknown[] };
    if (json.data && !json.errors?.length) return 'data';
    return json.data ? 'data and errors' : 'errors only';
  } catch {
    return 'not JSON';
  }
}

function describeRequest(req: FuzzRequest): string {
  const body = req.body === undefined ? '' : String(req.body);
  return `${req.method ?? 'POST'}${req.search ?? ''} ${body.slice(0, 300)}${body.length > 300 ? '…' : ''}`;
}

/** Sends `count` generated requests from `seed`, eight at a time; one is dropped once answered. */
async function fuzzHttp(seed: number, count: number) {
  const r = prng(seed);
  const fuzz = createFuzzer(schemaOf, r);
  const problems: Problem[] = [];
  const stats: Record<string, number> = {};
  const tally = (key: string) => {
    stats[key] = (stats[key] ?? 0) + 1;
  };
  let sent = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < count) {
        sent++;
        const req = fuzz.next();
        const auth = r.pick(Object.keys(auths));
        const res = await rawRequest(`${server.url}${req.search ?? ''}`, {
          method: req.method ?? 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...auths[auth],
            ...req.headers,
          },
          chunks: req.body === undefined ? [] : [req.body],
        });
        tally(req.category);
        tally(`HTTP ${res.status}`);
        if (req.category === 'valid') tally(`valid: ${outcome(res.body)}`);
        const why = judge(res.status, res.body);
        if (why)
          problems.push({
            category: req.category,
            auth,
            status: res.status,
            why,
            request: describeRequest(req),
          });
      }
    }),
  );
  return { problems, stats, ms: Date.now() - started };
}

describe('GraphQL fuzzing', () => {
  it('every generated request gets a coded GraphQL answer; the server stays up with a bounded heap', {
    timeout: 300_000,
  }, async () => {
    const seed = seedFor('graphql-fuzz');
    const heapBefore = heapAfterGc();
    const first = await fuzzHttp(seed, HTTP_REQUESTS);
    console.log(`[graphql-fuzz] ${HTTP_REQUESTS} requests in ${first.ms} ms`, first.stats);
    expect(summarize(first.problems), `${first.problems.length} bad answers`).toEqual([]);
    expect((await fetch(server.url.replace('/graphql', '/livez'))).status).toBe(200);
    const heapAfter = heapAfterGc();
    // The same requests again: Yoga's parse and validation caches (1,000 documents each) are full
    // by now, so whatever a replay adds is retained per request — a leak.
    const replay = await fuzzHttp(seed, REPLAYED);
    expect(summarize(replay.problems)).toEqual([]);
    const heapReplayed = heapAfterGc();
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    console.log(
      `[graphql-fuzz] heap after GC: +${mib(heapAfter - heapBefore)} after the run, ${mib(heapReplayed - heapAfter)} more after replaying ${REPLAYED}`,
    );
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_GROWTH_LIMIT);
    expect(heapReplayed - heapAfter).toBeLessThan(REPLAY_GROWTH_LIMIT);
  });

  it('graphql-ws: every operation gets its own coded answer and no socket is closed', {
    timeout: 300_000,
  }, async () => {
    const r = prng(seedFor('graphql-ws-fuzz'));
    const fuzz = createFuzzer(schemaOf, r);
    const sockets = await Promise.all(
      Object.values(auths).map((h) =>
        bareGraphqlWs(server.wsUrl, {
          ...h,
          ...(h.cookie ? { origin: 'http://localhost:8080' } : {}),
        }),
      ),
    );
    const problems: { why: string; query: string }[] = [];
    const kinds = new Map<string, number>();
    try {
      for (let i = 0; i < WS_OPERATIONS; i++) {
        const ws = r.pick(sockets);
        const pick = r.next();
        const payload =
          pick < 0.15
            ? fuzz.operation(r.pick([0, 0.3]), 'subscription')
            : pick < 0.6
              ? fuzz.operation(r.pick([0, 0.1, 0.3, 0.6]))
              : documentOf(fuzz.next());
        if (!payload) continue;
        const messages = await ws.run(payload, 1500);
        for (const m of messages) {
          kinds.set(m.type, (kinds.get(m.type) ?? 0) + 1);
          const errors = (
            m.type === 'error' ? m.payload : (m.payload as { errors?: unknown })?.errors
          ) as { message?: string; extensions?: { code?: string } }[] | undefined;
          const text = JSON.stringify(m.payload ?? null);
          if (STACK_TRACE.test(text)) problems.push({ why: 'stack trace', query: payload.query });
          for (const e of errors ?? []) {
            const code = e.extensions?.code;
            if (!code || code === 'INTERNAL')
              problems.push({
                why: `${code ?? 'no code'}: ${e.message}`,
                query: payload.query.slice(0, 300),
              });
          }
        }
        if (!messages.length) kinds.set('open', (kinds.get('open') ?? 0) + 1);
      }
      console.log(`[graphql-ws-fuzz] ${WS_OPERATIONS} operations`, Object.fromEntries(kinds));
      expect(summarize(problems), `${problems.length} bad answers`).toEqual([]);
      expect(sockets.map((s) => s.closed())).toEqual(sockets.map(() => null));
    } finally {
      for (const s of sockets) s.close();
    }
  });
});

/** Problems grouped by kind, with a count and the first example of each. */
function summarize<T extends { why: string; category?: string }>(problems: T[]) {
  const groups = new Map<string, { count: number; example: T }>();
  for (const p of problems) {
    const key = `${p.category ?? 'ws'}: ${p.why.replace(/\d+/g, 'N')}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { count: 1, example: p });
  }
  return [...groups.entries()].map(([kind, g]) => ({ kind, ...g }));
}

/** The GraphQL request inside a generated HTTP request, when it is one (graphql-ws carries only those). */
function documentOf(
  req: FuzzRequest,
): { query: string; variables?: Record<string, unknown> } | null {
  // Over 1 MiB a message closes the socket by design (bodies.test.ts covers that).
  if (req.method || req.headers || typeof req.body !== 'string' || req.body.length > 1_000_000)
    return null;
  try {
    const parsed = JSON.parse(req.body) as { query?: unknown; variables?: unknown };
    if (typeof parsed?.query !== 'string') return null;
    const variables =
      parsed.variables && typeof parsed.variables === 'object' ? parsed.variables : undefined;
    return { query: parsed.query, variables: variables as Record<string, unknown> | undefined };
  } catch {
    return null;
  }
}
