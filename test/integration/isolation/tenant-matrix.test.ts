import { extendSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN_SCOPES } from '../../../schema/domain/enums.ts';
import { CSRF_HEADER } from '../../../server/src/auth/csrf.ts';
import { type GqlAuth, gql, wsClient } from '../../testkit/graphql.ts';
import { databaseText, directoryText } from '../../testkit/secret-scan.ts';
import { startTestServer } from '../../testkit/server.ts';
import { GRAPHQL_ROWS } from './graphql-rows.ts';
import { authHeaders, firstSseItem } from './http.ts';
import {
  DENIED,
  entitled,
  type Outcome,
  outcomeOf,
  principalOf,
  type Verdict,
  verdictFor,
} from './policy.ts';
import { REST_ROWS, runtimeHost, scrapeMetrics } from './rest-rows.ts';
import { isGeneric404, probeServer, unclaimed, unserved } from './route-surface.ts';
import { type GraphqlRow, rowName } from './row-kit.ts';
import {
  type Coordinate,
  objectFieldCoordinates,
  operationFor,
  rootCoordinates,
  selectedCoordinates,
  serverSchema,
} from './schema-surface.ts';
import { ACTORS, type Actor, createWorld, PUBLIC_HOST, type World } from './world.ts';

/**
 * The tenant isolation matrix: every GraphQL root field (over HTTP; subscriptions over graphql-ws and
 * SSE), every REST route, the credential proxy and the runtime hosts, each called by every kind of
 * caller — anonymous, another user, a disabled user, a revoked session or token, a user who must
 * change their password, API tokens lacking (and holding) the needed scope, the owner and an admin.
 * Refused calls must be refused as such and change nothing; nobody but the owner and admins ever sees
 * the owner's data (canaries); and no credential appears in anything the run produced (secret scan).
 * A field or route the server offers without a row here fails the first block.
 */
const schema = serverSchema();
let w: World;
beforeAll(async () => {
  w = await createWorld();
}, 240_000);
afterAll(() => w?.stop());

function missingRows(s: typeof schema, rows: GraphqlRow[]) {
  const have = new Set(rows.map((r) => r.field));
  return rootCoordinates(s).filter((c) => !have.has(c));
}

const documents = GRAPHQL_ROWS.map((r) =>
  operationFor(schema, r.field, r.args, r.varDefs, r.depth),
);

describe('the matrix covers the whole surface', () => {
  it('every GraphQL root field has a row, and every row names a field that exists', () => {
    const fields = new Set<Coordinate>(rootCoordinates(schema));
    expect(
      missingRows(schema, GRAPHQL_ROWS),
      'fields without a row: add one to query-rows.ts or mutation-rows.ts (who may call it?)',
    ).toEqual([]);
    expect(GRAPHQL_ROWS.map((r) => r.field).filter((f) => !fields.has(f))).toEqual([]);
  });

  it('a root field added without a row is caught', () => {
    const grown = extendSchema(
      schema,
      parse('extend type Query { leak: String } extend type Subscription { tap: String }'),
    );
    expect(missingRows(grown, GRAPHQL_ROWS)).toEqual(['Query.leak', 'Subscription.tap']);
  });

  it('the generated documents select every field of every object type', () => {
    const selected = new Set<Coordinate>();
    for (const d of documents) for (const c of selectedCoordinates(schema, d.doc)) selected.add(c);
    expect(objectFieldCoordinates(schema).filter((c) => !selected.has(c))).toEqual([]);
    // …so a new field on an object type is asked for, by every actor, without a new row.
    const grown = extendSchema(schema, parse('extend type Runtime { secretThing: String }'));
    const again = operationFor(grown, 'Query.runtime', '(id: $id)', '($id: ID!)');
    expect(selectedCoordinates(grown, again.doc)).toContain('Runtime.secretThing');
  });

  it('every route the server answers belongs to a row, and every row is served', async () => {
    const hosts = [
      PUBLIC_HOST,
      runtimeHost(w.users.alice.username),
      'u-nobody-zzz.localhost:8080',
      'www.localhost:8080',
      'elsewhere.example',
    ];
    const examples = REST_ROWS.flatMap((r) => r.examples.map((e) => e.path));
    const results = await probeServer(w.port, hosts, w.server.deps.config, examples);
    expect(
      unclaimed(results, REST_ROWS),
      'routes without a row: add one to rest-rows.ts (who may call it?)',
    ).toEqual([]);
    expect(unserved(results, REST_ROWS)).toEqual([]);
    const served = results.filter((r) => !isGeneric404(r.reply)).length;
    console.info(`route probe: ${results.length} requests, ${served} served, all claimed`);
    // A route nobody listed would be reported:
    const stray = { ...results[0], probe: { method: 'GET', hostKind: 'app', path: '/debug' } };
    const reply = { status: 200, headers: {}, body: '{"secrets":[]}' };
    expect(unclaimed([{ ...stray, reply } as (typeof results)[0]], REST_ROWS)).toHaveLength(1);
  });
});

function expectNoCanary(seen: string, where: string, echoes: string[] = []): void {
  // Longest first: an echoed host contains the owner's name.
  const text = [...echoes]
    .sort((a, b) => b.length - a.length)
    .reduce((t, e) => t.split(e).join('«echo»'), seen);
  for (const c of w.canaries)
    if (text.includes(c))
      throw new Error(`${where} shows the owner's data (${c}): ${text.slice(0, 600)}`);
}

async function authFor(row: GraphqlRow, actor: Actor): Promise<GqlAuth> {
  if (row.freshSession) {
    const u = {
      owner: w.users.alice,
      admin: w.users.root,
      other: w.users.bob,
      mustChange: w.users.erin,
    }[actor as string];
    if (u) return { cookie: await w.session(u) };
  }
  return w.auth(actor, principalOf(row), row.scope);
}

/** Secrets a call legitimately returns (a new token, an invitation link): allowed in that response only. */
function allowReturnedSecrets(value: unknown, source: string): void {
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && /token$/i.test(k) && v.length >= 12)
      w.scanner.add('returned secret', v, { allowedIn: source });
    else allowReturnedSecrets(v, source);
  }
}

function expectVerdict(verdict: Verdict, outcome: Outcome, row: GraphqlRow, text: string): void {
  const accepted = verdict === 'allow' ? (row.allowAs ?? ['ok']) : DENIED;
  expect(accepted, `got ${outcome}: ${text.slice(0, 800)}`).toContain(outcome);
}

const cases = <R>(rows: R[], verdict: (r: R, a: Actor) => Verdict, name: (r: R) => string) =>
  rows.flatMap((row) =>
    ACTORS.map((actor) => [name(row), actor, verdict(row, actor), row] as const),
  );

const httpRows = GRAPHQL_ROWS.filter((r) => !r.field.startsWith('Subscription.'));
const subscriptionRows = GRAPHQL_ROWS.filter((r) => r.field.startsWith('Subscription.'));

describe('GraphQL over HTTP', () => {
  it.each(cases(httpRows, verdictFor, rowName))(
    '%s as %s → %s',
    async (_n, actor, verdict, row) => {
      const auth = await authFor(row, actor);
      const vars = (await row.vars?.(w, actor, verdict)) ?? {};
      const { text: query } = operationFor(schema, row.field, row.args, row.varDefs, row.depth);
      const mutation = row.field.startsWith('Mutation.');
      const before = verdict === 'deny' && mutation ? await w.fingerprint() : null;
      const res = await gql(w.server.url, query, vars, auth);
      const source = `graphql:${rowName(row)}#${actor}`;
      allowReturnedSecrets(res.data, source);
      w.scanner.collect(source, res.text);
      expectVerdict(verdict, outcomeOf(res.data, res.errors), row, res.text);
      if (!entitled(row, actor)) expectNoCanary(res.text, source);
      if (before) expect(await w.fingerprint(), 'a refused mutation changed state').toBe(before);
    },
  );
});

async function firstOverWs(row: GraphqlRow, query: string, vars: object, auth: GqlAuth) {
  const ws = wsClient(w.server.wsUrl, { cookie: auth.cookie, bearer: auth.bearer });
  const it = ws.client.iterate({ query, variables: vars as Record<string, unknown> });
  const feeding = row.feed ? setInterval(() => row.feed?.(w), 300) : undefined;
  try {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no first item within 15 s')), 15_000),
    );
    const next = await Promise.race([it.next(), timeout]);
    return next.done ? null : (next.value as Record<string, unknown>);
  } finally {
    clearInterval(feeding);
    await it.return?.();
    await ws.dispose();
  }
}

async function firstOverSse(row: GraphqlRow, query: string, vars: object, auth: GqlAuth) {
  const abort = new AbortController();
  const feeding = row.feed ? setInterval(() => row.feed?.(w), 300) : undefined;
  try {
    const res = await fetch(w.server.url, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        [CSRF_HEADER]: '1',
        ...authHeaders(auth),
      },
      body: JSON.stringify({ query, variables: vars }),
    });
    return await firstSseItem(res, 15_000);
  } finally {
    clearInterval(feeding);
    abort.abort();
  }
}

describe.each(['graphql-ws', 'SSE'] as const)('subscriptions over %s', (transport) => {
  it.each(cases(subscriptionRows, verdictFor, rowName))(
    '%s as %s → %s',
    async (_n, actor, verdict, row) => {
      const auth = await w.auth(actor, principalOf(row), row.scope);
      const vars = (await row.vars?.(w, actor, verdict)) ?? {};
      const { text: query } = operationFor(schema, row.field, row.args, row.varDefs, row.depth);
      const item =
        transport === 'SSE'
          ? await firstOverSse(row, query, vars, auth)
          : await firstOverWs(row, query, vars, auth);
      const text = JSON.stringify(item);
      const source = `${transport}:${rowName(row)}#${actor}`;
      w.scanner.collect(source, text);
      const data = (item?.data ?? null) as Record<string, unknown> | null;
      const errors = item?.errors as never;
      expectVerdict(verdict, item ? outcomeOf(data, errors) : 'error', row, text);
      if (!entitled(row, actor)) expectNoCanary(text, source);
    },
  );
});

describe('REST routes, the credential proxy and runtime hosts', () => {
  beforeAll(async () => {
    // GraphQL rows may have restarted alice's runtime (her own start): hand it its current key.
    w.keys.alice = await w.currentKey(w.runtimes.alice);
  });

  const restRows = REST_ROWS.filter((r) => r.call);
  it.each(cases(restRows, verdictFor, (r) => r.name))(
    '%s as %s → %s',
    async (_n, actor, verdict, row) => {
      const auth = await w.auth(actor, principalOf(row), row.scope);
      const r = await row.call?.(w, actor, auth);
      if (!r) throw new Error('row without a call');
      const source = `rest:${row.name}#${actor}`;
      w.scanner.collect(source, r.text);
      expect(r.allowed ? 'allow' : 'deny', r.text.slice(0, 800)).toBe(verdict);
      if (!entitled(row, actor)) expectNoCanary(r.text, source, r.echoes);
    },
  );

  it('/metrics serves its bearer', async () => {
    expect((await scrapeMetrics(w)).status).toBe(200);
  });
});

describe('with ADMIN_RUNTIME_ACCESS=true (a second server process on the same database)', () => {
  let w2: World;
  beforeAll(async () => {
    const server = await startTestServer({
      ...w.serverOptions,
      databaseUrl: w.server.databaseUrl,
      env: { ...w.serverOptions.env, ADMIN_RUNTIME_ACCESS: 'true' },
    });
    w2 = { ...w, server, port: Number(new URL(server.url).port) };
  });
  afterAll(() => w2?.server.stop());

  const flagged = REST_ROWS.filter((r) => r.adminAccessFlag);
  it.each(
    flagged.flatMap((r) => (['admin', 'other'] as const).map((a) => [r.name, a, r] as const)),
  )('%s as %s', async (_n, actor, row) => {
    const auth = await w2.auth(actor, principalOf(row), row.scope);
    const r = await row.call?.(w2, actor, auth);
    w.scanner.collect(`rest(admin access):${row.name}#${actor}`, r?.text);
    expect(r?.allowed ? 'allow' : 'deny', r?.text.slice(0, 600)).toBe(
      actor === 'admin' ? 'allow' : 'deny',
    );
  });

  it('audits every admin entry into the runtime', async () => {
    const [row] = await w.sql(
      `select count(*)::int as n from audit_events where action = 'entrance.adminAccess'`,
    );
    expect(Number(row?.n)).toBeGreaterThan(0);
  });
});

describe('refusals explain themselves, and are audited', () => {
  it('tells a must-change-password viewer why it is refused', async () => {
    const res = await gql(
      w.server.url,
      '{ users(first: 1) { ... on Error { code } } }',
      {},
      { cookie: w.cookies.erin },
    );
    expect(res.data?.users).toEqual({ code: 'PASSWORD_CHANGE_REQUIRED' });
  });

  it('records refused mutations with the reason', async () => {
    const rows = await w.sql(
      `select distinct detail->>'reason' as reason from audit_events
        where action = 'invitation.create' and result = 'denied'`,
    );
    expect(rows.map((r) => r.reason)).toEqual(
      expect.arrayContaining(['FORBIDDEN', 'UNAUTHENTICATED', 'PASSWORD_CHANGE_REQUIRED']),
    );
  });

  it('an admin token without users:read sees the profiles, not who may choose them', async () => {
    const query =
      '{ runtimeProfiles { ... on QueryRuntimeProfilesSuccess { data { name allowedUsers { username } } } } }';
    const profilesAs = async (bearer: string) => {
      const res = await gql(w.server.url, query, {}, { bearer });
      const data = res.data?.runtimeProfiles?.data as { name: string; allowedUsers: unknown }[];
      return data.find((p) => p.name === w.aliceProfile);
    };
    const all = API_TOKEN_SCOPES;
    expect(await profilesAs(await w.token(w.users.root, all))).toMatchObject({
      allowedUsers: [{ username: w.users.alice.username }],
    });
    const narrow = await w.token(w.users.root, ['runtime:read']);
    expect(await profilesAs(narrow)).toMatchObject({ allowedUsers: null });
  });
});

describe('secrets', () => {
  it('no known secret appears in logs, responses, errors, audit rows, the database or what runtimes received', async () => {
    const { scanner } = w;
    await w.server.serverApp?.modelProxy?.flushUsage();
    const logLines = w.logs.lines();
    expect(logLines.length, 'the server logged nothing: is the capture wired?').toBeGreaterThan(0);
    scanner.collect('log:server', w.logs.text());
    for (const [source, text] of await databaseText(w.sql)) scanner.collect(source, text);
    for (const [source, text] of directoryText(w.dataDir)) scanner.collect(source, text);
    for (const [i, r] of w.gateway.received.entries())
      scanner.collect(`runtime-received:${r.kind}#${i}`, r);
    for (const [i, r] of w.upstream.requests.entries())
      scanner.collect(`upstream-received#${i}`, r.headers);
    const stats = scanner.stats();
    console.info(
      `secret scan: ${stats.secrets} secrets × ${stats.sources} sources (${(stats.bytes / 1e6).toFixed(1)} MB, ${logLines.length} log lines)`,
    );
    scanner.assertNoLeaks();
  });
});
