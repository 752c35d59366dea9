import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeJwt } from 'jose';
import { API_TOKEN_SCOPES, type ApiTokenScope } from '../../../schema/domain/enums.ts';
import { localConsoleLogPath, localDriverDir } from '../../../schema/domain/local-layout.ts';
import { deriveModelKey, modelKeyHash } from '../../../schema/domain/model-key.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../../fake-openai/fake-openai-upstream.ts';
import { expectNoGraphQLErrors, type GqlAuth, gql } from '../../testkit/graphql.ts';
import { captureLogs, SecretScanner } from '../../testkit/secret-scan.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { SERVER_TEST_SECRET, startTestServer, type TestServer } from '../../testkit/server.ts';
import { appendEvent, globalRuntimeId, observe } from '../server/runtimes-fixtures.ts';
import { type FakeGateway, startFakeGateway } from './fake-gateway.ts';

/** Who calls. `underScoped`/`scopedToken` are API tokens of the row's principal (owner or admin). */
export const ACTORS = [
  'anon',
  'owner',
  'other',
  'admin',
  'disabled',
  'revoked',
  'revokedToken',
  'mustChange',
  'underScoped',
  'scopedToken',
] as const;
export type Actor = (typeof ACTORS)[number];

export const PUBLIC_HOST = 'localhost:8080';
export const METRICS_TOKEN = 'metrics-bearer-0123456789abcdef';
export const UPSTREAM_KEY = 'sk-upstream-matrix-0123456789';
const unique = () => crypto.randomUUID().slice(0, 8);
/** Columns a refused call may still touch (stamps of use, not state). */
const VOLATILE_COLUMNS = ['last_login_at', 'last_seen_at', 'last_used_at', 'last_activity_at'];

/**
 * The tenants the matrix plays with, on one server serving everything main.ts serves:
 * - alice (the owner): a running runtime behind a fake gateway, a stopped one, console lines, events,
 *   a model route only she may use, usage, a budget, API tokens — every one of them a canary that no
 *   one else may ever see;
 * - bob (another user, with his own runtime and model key), root (admin), dave (disabled after he
 *   got a session, a token and a runtime key), erin (an admin who must change her password);
 * - alice's logged-out session and revoked token.
 * Every credential is registered with the secret scanner; `collect` gathers what callers saw.
 */
export async function createWorld() {
  const scanner = new SecretScanner();
  const logs = captureLogs();
  const dataDir = mkdtempSync(join(tmpdir(), 'clawloops-matrix-'));
  const spaDir = join(dataDir, 'spa');
  mkdirSync(spaDir);
  writeFileSync(join(spaDir, 'index.html'), '<!doctype html><!--clawloops-config--><p>SPA</p>');
  const gateway: FakeGateway = await startFakeGateway();
  const upstream: FakeOpenAi = await startFakeOpenAi({ apiKey: UPSTREAM_KEY });
  const env = {
    LOG_LEVEL: 'debug',
    DATA_DIR: dataDir,
    METRICS_TOKEN,
    // The generated documents ask for every field at once.
    GRAPHQL_MAX_TOKENS: '5000',
    // Not under test here: alice holds several runtimes, none is culled mid-run.
    MAX_RUNNING_RUNTIMES_PER_USER: '100',
    IDLE_TIMEOUT_MINUTES: '0',
  };
  const throttle = { perIp: 10_000, perUserAndIp: 20 };
  const server: TestServer = await startTestServer({
    full: { spaDir },
    logStream: logs.stream,
    throttle,
    env,
  });
  const port = Number(new URL(server.url).port);
  const s = seed(server);
  const sql = (q: string, params: unknown[] = []) =>
    server.deps.orm.em.getConnection().execute<Record<string, unknown>[]>(q, params);

  scanner.add('CLAWLOOPS_SECRET', SERVER_TEST_SECRET);
  scanner.add('METRICS_TOKEN', METRICS_TOKEN);
  // The upstream is where the route's credential is meant to go.
  scanner.add('upstream model key', UPSTREAM_KEY, { allowedIn: /^upstream-received#/ });

  function registerCookie(label: string, cookie: string): string {
    const proof = cookie.replace(/^clawloops_session=/, '');
    scanner.add(`session cookie (${label})`, proof);
    scanner.add(`session secret (${label})`, String(decodeJwt(proof).sec));
    return cookie;
  }

  async function user(label: string, input: Parameters<typeof s.createUser>[0] = {}) {
    const u = await s.createUser({ username: `${label}-${unique()}`, ...input });
    scanner.add(`password (${label})`, u.password);
    return u;
  }

  const tokenCache = new Map<string, string>();
  /** An API token of `owner` with exactly `scopes` (cached per owner and scope set). */
  async function token(owner: SeededUser, scopes: readonly ApiTokenScope[]): Promise<string> {
    const key = `${owner.id}:${[...scopes].sort().join(',')}`;
    let t = tokenCache.get(key);
    if (!t) {
      t = await s.createApiToken(owner, [...scopes]);
      scanner.add(`API token (${owner.username})`, t);
      tokenCache.set(key, t);
    }
    return t;
  }

  const asUser = async (cookie: string, query: string, variables: Record<string, unknown> = {}) =>
    expectNoGraphQLErrors(await gql(server.url, query, variables, { cookie }));

  // --- people and their credentials -------------------------------------------------------------
  const alice = await user('alice', { email: `alice-${unique()}@example.test` });
  const bob = await user('bob');
  const root = await user('root', { role: 'admin' });
  const dave = await user('dave');
  const erin = await user('erin', { role: 'admin', mustChangePassword: true });

  // alice signs in through the API, so her password travels through the server (and its logs).
  const login = async (u: SeededUser) => {
    const res = await gql(
      server.url,
      'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }',
      { u: u.username, p: u.password },
    );
    const set = res.setCookies.find((c) => c.startsWith('clawloops_session='));
    if (!set) throw new Error(`login failed: ${res.text}`);
    return registerCookie(u.username, set.split(';')[0] as string);
  };
  const cookies = {
    alice: await login(alice),
    aliceRevoked: await login(alice),
    bob: registerCookie('bob', await s.loginAs(bob)),
    root: registerCookie('root', await s.loginAs(root)),
    dave: registerCookie('dave', await s.loginAs(dave)),
    erin: registerCookie('erin', await s.loginAs(erin)),
  };
  await gql(server.url, 'mutation { logout }', {}, { cookie: cookies.aliceRevoked });

  // alice's token made through the API (shown once), then revoked.
  const created = await asUser(
    cookies.alice,
    `mutation { createApiToken(name: "ci", scopes: [RUNTIME_READ, RUNTIME_WRITE]) {
       ... on CreateApiTokenPayload { token apiToken { id } } } }`,
  );
  const aliceRevokedToken = created.createApiToken.token as string;
  const aliceTokenId = created.createApiToken.apiToken.id as string;
  scanner.add('API token (alice, revoked)', aliceRevokedToken, {
    allowedIn: 'setup:createApiToken',
  });
  scanner.collect('setup:createApiToken', created);
  await asUser(cookies.alice, 'mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }', {
    id: aliceTokenId,
  });

  // --- runtimes ---------------------------------------------------------------------------------
  const start = async (cookie: string) => {
    const data = await asUser(cookie, 'mutation { startRuntime { ... on Runtime { id } } }');
    return Buffer.from(data.startRuntime.id, 'base64').toString().split(':')[1] as string;
  };
  const runtimes = {
    alice: await start(cookies.alice),
    bob: await start(cookies.bob),
    dave: await start(cookies.dave),
    aliceStopped: '',
  };
  // alice restarts once: her generation-1 model key is now a revoked one.
  await asUser(cookies.alice, 'mutation($id: ID!) { restartRuntime(id: $id) { __typename } }', {
    id: globalRuntimeId(runtimes.alice),
  });
  runtimes.aliceStopped = await insertRuntime(alice.id, 'stopped');
  for (const id of [runtimes.alice, runtimes.bob, runtimes.dave])
    await observe(server, id, {
      phase: 'Running',
      endpoint: gateway.url,
      event: { type: 'Ready', message: `ready ${unique()}` },
    });
  const eventCanary = `alice-event-${unique()}`;
  await appendEvent(server, runtimes.alice, { message: eventCanary });
  const logCanary = `alice-console-${unique()}`;
  const consoleLog = localConsoleLogPath(localDriverDir(dataDir), runtimes.alice);
  mkdirSync(dirname(consoleLog), { recursive: true });
  writeFileSync(consoleLog, `gateway starting\n${logCanary}\n`);

  /** A runtime row of `ownerId`, older than their main one (so `myRuntime` is unaffected). */
  async function insertRuntime(ownerId: string, desired: 'running' | 'stopped'): Promise<string> {
    const [row] = await sql(
      `insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy,
                             profile, runtime_version, restart_nonce, spec_updated_at, phase)
       values (gen_random_uuid(), ?, now() - interval '1 day', ?, 1, 'preserve', 'default', '', 0,
               now(), ?) returning id`,
      [ownerId, desired, desired === 'running' ? 'Running' : 'Stopped'],
    );
    return String(row?.id);
  }

  // --- the model layer --------------------------------------------------------------------------
  const rootCookie = cookies.root;
  const aliceRoute = `alice-only-${unique()}`;
  const routeId = async (name: string) => {
    const data = await asUser(
      rootCookie,
      `mutation($input: CreateModelRouteInput!, $c: String) { createModelRoute(input: $input, credential: $c) {
         ... on ModelRoute { id } ... on Error { message } } }`,
      { input: { name, baseUrl: upstream.url, upstreamModel: 'fake-model' }, c: UPSTREAM_KEY },
    );
    return data.createModelRoute.id as string;
  };
  const routes = {
    aliceOnly: await routeId(aliceRoute),
    shared: await routeId(`shared-${unique()}`),
  };
  const grant = async (route: string, who: SeededUser | null) => {
    const data = await asUser(
      rootCookie,
      `mutation($r: ID!, $u: ID, $e: Boolean) { grantModelRoute(route: $r, user: $u, everyone: $e) {
         ... on ModelGrant { id } ... on Error { message } } }`,
      who ? { r: route, u: who.globalId } : { r: route, e: true },
    );
    return data.grantModelRoute.id as string;
  };
  const grants = { aliceOnly: await grant(routes.aliceOnly, alice) };
  await grant(routes.shared, null);
  await asUser(
    rootCookie,
    `mutation($u: ID!) { setModelBudget(input: { user: $u, period: MONTH, tokenLimit: 1000000 }) { __typename } }`,
    { u: alice.globalId },
  );

  /** An admin-made runtime profile (only `allowed` may choose it, when given). */
  async function createProfile(name: string, allowed?: SeededUser): Promise<string> {
    const data = await asUser(
      rootCookie,
      `mutation($input: CreateRuntimeProfileInput!) { createRuntimeProfile(input: $input) {
         ... on RuntimeProfile { id } ... on Error { message } } }`,
      {
        input: {
          name,
          displayName: name,
          cpuRequest: '100m',
          cpuLimit: '1',
          memoryMiB: 1024,
          diskGiB: 1,
          ...(allowed ? { availableToAll: false, allowedUsers: [allowed.globalId] } : {}),
        },
      },
    );
    if (!data.createRuntimeProfile.id) throw new Error(JSON.stringify(data));
    return data.createRuntimeProfile.id as string;
  }
  const aliceProfile = `alice-profile-${unique()}`;
  const profiles = { aliceOnly: await createProfile(aliceProfile, alice) };

  /** The key the orchestrator would hand the runtime now (and record the hash of, as it does). */
  async function currentKey(runtimeId: string): Promise<string> {
    const [row] = await sql('select generation from runtimes where id = ?', [runtimeId]);
    const generation = Number(row?.generation);
    const key = deriveModelKey(SERVER_TEST_SECRET, runtimeId, generation);
    scanner.add('runtime model key', key);
    await sql(
      `insert into runtime_credentials (runtime_id, epoch, key_hash, updated_at) values (?, ?, ?, now())
       on conflict (runtime_id) do update set epoch = excluded.epoch, key_hash = excluded.key_hash`,
      [runtimeId, generation, modelKeyHash(key)],
    );
    return key;
  }
  const keys = {
    alice: await currentKey(runtimes.alice),
    aliceOld: deriveModelKey(SERVER_TEST_SECRET, runtimes.alice, 1),
    bob: await currentKey(runtimes.bob),
    dave: await currentKey(runtimes.dave),
  };
  scanner.add('runtime model key (old generation)', keys.aliceOld);
  // alice uses her model once: the ledger, usage report and her usage now name her route.
  const used = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: aliceRoute, messages: [{ role: 'user', content: 'hi there' }] }),
  });
  if (used.status !== 200) throw new Error(`alice's model call failed: ${await used.text()}`);
  await server.serverApp?.modelProxy?.flushUsage();

  // --- invitations: one consumed through the API, one pending -----------------------------------
  const invited = await asUser(
    rootCookie,
    `mutation { createInvitation(role: USER, expiresInHours: 1) {
       ... on CreateInvitationPayload { token url invitation { id } } } }`,
  );
  scanner.add('invitation token', invited.createInvitation.token, {
    allowedIn: 'setup:createInvitation',
  });
  scanner.collect('setup:createInvitation', invited);
  const frank = { username: `frank-${unique()}`, password: `Frank-pass-${unique()}` };
  scanner.add('password (frank)', frank.password);
  const accepted = await gql(
    server.url,
    `mutation($t: String!, $u: String!, $p: String!) { acceptInvitation(token: $t, username: $u, password: $p) { __typename } }`,
    { t: invited.createInvitation.token, u: frank.username, p: frank.password },
  );
  for (const c of accepted.setCookies)
    if (c.startsWith('clawloops_session=')) registerCookie('frank', c.split(';')[0] as string);
  const pending = await s.createInvitation();
  scanner.add('invitation token (pending)', pending.token);

  // dave is disabled last, through the API: sessions, tokens and runtime keys die with him.
  const daveToken = await token(dave, API_TOKEN_SCOPES);
  await asUser(
    rootCookie,
    'mutation($id: ID!) { setUserStatus(id: $id, status: DISABLED) { __typename } }',
    { id: dave.globalId },
  );

  const canaries = [
    alice.id,
    alice.globalId,
    alice.username,
    runtimes.alice,
    globalRuntimeId(runtimes.alice),
    runtimes.aliceStopped,
    globalRuntimeId(runtimes.aliceStopped),
    eventCanary,
    logCanary,
    aliceRoute,
    aliceTokenId,
    grants.aliceOnly,
  ];

  return {
    server,
    port,
    /** How the server was started: a second process on the same database starts alike. */
    serverOptions: { full: { spaDir }, logStream: logs.stream, throttle, env },
    scanner,
    logs,
    dataDir,
    gateway,
    upstream,
    users: { alice, bob, root, dave, erin },
    cookies,
    aliceRevokedToken,
    daveToken,
    runtimes,
    routes,
    aliceRoute,
    grants,
    keys,
    aliceProfile,
    profiles,
    createProfile,
    consoleLog,
    pendingInvitation: pending.id,
    canaries,
    sql,
    seed: s,
    token,
    user,
    registerCookie,
    insertRuntime,
    currentKey,
    createRoute: routeId,
    grant,
    asUser,
    /** A fresh session of `u` (its `Cookie` value), registered with the scanner. */
    async session(u: SeededUser): Promise<string> {
      return registerCookie(u.username, await s.loginAs(u));
    },
    /** Credentials of an actor, for a row whose token principal is `principal`. */
    async auth(
      actor: Actor,
      principal: 'owner' | 'admin',
      scope?: ApiTokenScope,
    ): Promise<GqlAuth> {
      const owner = principal === 'admin' ? root : alice;
      switch (actor) {
        case 'anon':
          return {};
        case 'owner':
          return { cookie: cookies.alice };
        case 'other':
          return { cookie: cookies.bob };
        case 'admin':
          return { cookie: cookies.root };
        case 'disabled':
          return { cookie: cookies.dave };
        case 'revoked':
          return { cookie: cookies.aliceRevoked };
        case 'revokedToken':
          return { bearer: aliceRevokedToken };
        case 'mustChange':
          return { cookie: cookies.erin };
        case 'underScoped':
          return {
            bearer: await token(
              owner,
              API_TOKEN_SCOPES.filter((x) => x !== scope),
            ),
          };
        case 'scopedToken':
          return { bearer: await token(owner, API_TOKEN_SCOPES) };
      }
    },
    /**
     * The database's state without what a refused call may legitimately write (audit rows, login
     * throttling, last-used stamps): equal before and after ⇒ the refused call changed nothing.
     */
    async fingerprint(): Promise<string> {
      const tables = await sql(
        `select table_name as t from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE'
            and table_name not in ('audit_events', 'runtime_handoffs', 'model_usage', 'mikro_orm_migrations')`,
      );
      const volatile = VOLATILE_COLUMNS.map((c) => ` - '${c}'`).join('');
      const parts = tables.map(
        ({ t }) => `select '${t}:' || (to_jsonb(x)${volatile})::text as r from "${t}" x`,
      );
      const [row] = await sql(
        `select md5(string_agg(r, '|' order by r)) as h from (${parts.join(' union all ')}) s`,
      );
      return String(row?.h);
    },
    async stop(): Promise<void> {
      await server.stop();
      await gateway.stop();
      await upstream.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
