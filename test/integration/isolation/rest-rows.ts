import { userHostLabel } from '../../../schema/domain/slugs.ts';
import type { GqlAuth } from '../../testkit/graphql.ts';
import { authHeaders, type Call, type Reply, send, upgrade, visibleText } from './http.ts';
import type { AccessRule } from './policy.ts';
import { type Actor, METRICS_TOKEN, PUBLIC_HOST, type World } from './world.ts';

export type HostKind = 'app' | 'runtime' | 'unknown' | 'foreign' | 'invalid';

/** A request of the route-completeness probe (always anonymous, no body). */
export interface Probe {
  method: string;
  hostKind: HostKind;
  path: string;
}

export interface CallResult {
  /** The route let this caller through (the row's own notion: 200, a hand-off redirect, …). */
  allowed: boolean;
  /** What the caller saw, for the leak canaries and the secret scan. */
  text: string;
  /** What the caller sent and may see again (the host it asked for, the model it named). */
  echoes?: string[];
}

/**
 * A REST route (or family) of the server: what it claims in the probe, a few requests it must serve,
 * and how each actor calls it. Rows without `call` are exercised elsewhere (GraphQL rows).
 */
export interface RestRow extends AccessRule {
  name: string;
  /** Admins get in with ADMIN_RUNTIME_ACCESS=true (audited); the matrix's server runs without it. */
  adminAccessFlag?: boolean;
  /** Whether this row answers for an anonymous probe that the server served with `reply`. */
  claims: (p: Probe, reply: Reply) => boolean;
  examples: Probe[];
  call?: (w: World, actor: Actor, auth: GqlAuth) => Promise<CallResult>;
}

const unique = () => crypto.randomUUID().slice(0, 8);
export const runtimeHost = (username: string) => `${userHostLabel(username)}.${PUBLIC_HOST}`;
const onRuntimeHost = (p: Probe) => p.hostKind === 'runtime' || p.hostKind === 'unknown';
const RUNTIME_LOGIN = '/auth/runtime-login';
const HANDOFF = '/__clawloops/session';

const result = (allowed: boolean, reply: Reply, echoes: string[] = []): CallResult => ({
  allowed,
  text: visibleText(reply),
  echoes,
});
/** A host as a caller writes it, and as it comes back inside a URL. */
const hostEchoes = (host: string) => [host, encodeURIComponent(host)];

/** `/auth/runtime-login` for `host` with `auth`: the hand-off token, when one is issued. */
async function mintHandoff(w: World, host: string, auth: GqlAuth) {
  const reply = await send(w.port, {
    host: PUBLIC_HOST,
    path: `${RUNTIME_LOGIN}?host=${encodeURIComponent(host)}&return=%2Fmatrix`,
    headers: { accept: 'text/html', ...authHeaders(auth) },
  });
  const location = String(reply.headers.location ?? '');
  const prefix = `http://${host}${HANDOFF}?token=`;
  const token = location.startsWith(prefix) ? new URL(location).searchParams.get('token') : null;
  if (token) w.scanner.add('runtime hand-off token', token);
  return { reply, token };
}

const redeem = (w: World, host: string, token: string | null, auth: GqlAuth = {}) =>
  send(w.port, {
    host,
    path: `${HANDOFF}?${token ? `token=${encodeURIComponent(token)}&` : ''}return=%2Fmatrix`,
    headers: { accept: 'text/html', ...authHeaders(auth) },
  });

const redeemed = (reply: Reply) =>
  reply.status === 302 &&
  String(reply.headers['set-cookie'] ?? '').includes('clawloops_session=') &&
  reply.headers.location === '/matrix';

/** A user with a running runtime behind the fake gateway, and a session. */
async function tenantWithRuntime(w: World, label: string) {
  const u = await w.user(label);
  const runtimeId = await w.insertRuntime(u.id, 'running');
  await w.sql('update runtimes set endpoint = ? where id = ?', [w.gateway.url, runtimeId]);
  w.server.serverApp?.entrance.routing.invalidateAll();
  return { user: u, cookie: await w.session(u) };
}

/**
 * The credential the proxy sees for each actor. Runtimes authenticate with their per-runtime key;
 * user sessions and API tokens (an admin's included) are not runtime keys.
 */
function proxyAuth(w: World, actor: Actor, auth: GqlAuth): Record<string, string> {
  const key = {
    owner: w.keys.alice,
    other: w.keys.bob,
    disabled: w.keys.dave,
    revoked: w.keys.aliceOld,
  }[actor as string];
  return key ? { authorization: `Bearer ${key}` } : authHeaders(auth);
}

const userCredentialsAreNotKeys = {
  admin: 'deny',
  underScoped: 'deny',
  scopedToken: 'deny',
} as const;

function proxyCall(method: string, path: string, body?: { model: string; [k: string]: unknown }) {
  return async (w: World, actor: Actor, auth: GqlAuth): Promise<CallResult> => {
    const reply = await send(w.port, {
      method,
      host: PUBLIC_HOST,
      path,
      headers: { 'content-type': 'application/json', ...proxyAuth(w, actor, auth) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return result(reply.status === 200, reply, body ? [body.model] : []);
  };
}

export const REST_ROWS: RestRow[] = [
  {
    name: 'GET /livez, /healthz, /readyz',
    policy: 'public',
    claims: (p) => !onRuntimeHost(p) && ['/livez', '/healthz', '/readyz'].includes(p.path),
    examples: [{ method: 'GET', hostKind: 'app', path: '/readyz' }],
    call: async (w, _a, auth) => {
      const replies = await Promise.all(
        ['/livez', '/healthz', '/readyz'].map((path) =>
          send(w.port, { host: PUBLIC_HOST, path, headers: authHeaders(auth) }),
        ),
      );
      return {
        allowed: replies.every((r) => r.status === 200),
        text: replies.map(visibleText).join('\n'),
      };
    },
  },
  {
    name: 'GET /metrics',
    // Only the METRICS_TOKEN bearer: no user, session or API token (checked separately).
    policy: 'admin',
    expect: { admin: 'deny', underScoped: 'deny', scopedToken: 'deny' },
    claims: (p) => !onRuntimeHost(p) && p.path === '/metrics',
    examples: [{ method: 'GET', hostKind: 'app', path: '/metrics' }],
    call: async (w, _a, auth) => {
      const reply = await send(w.port, {
        host: PUBLIC_HOST,
        path: '/metrics',
        headers: authHeaders(auth),
      });
      return result(reply.status === 200, reply);
    },
  },
  {
    name: '/graphql (HTTP, SSE, graphql-ws): see the GraphQL rows',
    policy: 'public',
    claims: (p) => !onRuntimeHost(p) && p.path.startsWith('/graphql'),
    examples: [{ method: 'POST', hostKind: 'app', path: '/graphql' }],
  },
  {
    name: "* /auth/forward (Traefik/Caddy) for the owner's runtime host",
    adminAccessFlag: true,
    policy: 'owner',
    scope: 'runtime:write',
    // ADMIN_RUNTIME_ACCESS is off (the default): admins do not open others' runtimes.
    expect: { admin: 'deny' },
    claims: (p) => p.path === '/auth/forward',
    examples: [{ method: 'GET', hostKind: 'app', path: '/auth/forward' }],
    call: async (w, _a, auth) => {
      const reply = await send(w.port, {
        host: PUBLIC_HOST,
        path: '/auth/forward',
        headers: {
          'x-forwarded-host': runtimeHost(w.users.alice.username),
          'x-forwarded-uri': '/chat',
          'x-forwarded-proto': 'http',
          'x-forwarded-method': 'GET',
          accept: 'application/json',
          ...authHeaders(auth),
        },
      });
      const user = reply.headers['x-clawloops-user'];
      const host = runtimeHost(w.users.alice.username);
      return result(
        reply.status === 200 && user === w.users.alice.username,
        reply,
        hostEchoes(host),
      );
    },
  },
  {
    name: 'GET /auth/runtime-login (app host): issues a hand-off for a runtime host',
    adminAccessFlag: true,
    policy: 'owner',
    // The hand-off carries a browser session: tokens are never turned into cookies.
    sessionOnly: true,
    expect: { admin: 'deny' },
    claims: (p) => p.hostKind !== 'runtime' && p.hostKind !== 'unknown' && p.path === RUNTIME_LOGIN,
    examples: [{ method: 'GET', hostKind: 'app', path: RUNTIME_LOGIN }],
    call: async (w, _a, auth) => {
      const host = runtimeHost(w.users.alice.username);
      const { reply, token } = await mintHandoff(w, host, auth);
      return result(token !== null, reply, hostEchoes(host));
    },
  },
  {
    name: 'GET /__clawloops/session (runtime host): redeems a hand-off once, for its host only',
    adminAccessFlag: true,
    policy: 'owner',
    sessionOnly: true,
    expect: { admin: 'deny' },
    claims: (p) => onRuntimeHost(p) && p.path.startsWith('/__clawloops/'),
    examples: [{ method: 'GET', hostKind: 'runtime', path: HANDOFF }],
    call: async (w, actor, auth) => {
      const alice = runtimeHost(w.users.alice.username);
      if (actor === 'owner') {
        const { token } = await mintHandoff(w, alice, auth);
        const first = await redeem(w, alice, token);
        const replay = await redeem(w, alice, token);
        if (redeemed(replay)) throw new Error('a hand-off token was accepted twice');
        return result(redeemed(first), first, hostEchoes(alice));
      }
      if (actor === 'other') {
        // bob's own hand-off, presented on alice's host.
        const { token } = await mintHandoff(w, runtimeHost(w.users.bob.username), auth);
        if (!token) throw new Error('bob got no hand-off for his own runtime');
        const reply = await redeem(w, alice, token);
        return result(redeemed(reply), reply, hostEchoes(alice));
      }
      if (actor === 'revoked') {
        // Minted while alice's session was live, redeemed after she signed out.
        const cookie = await w.session(w.users.alice);
        const { token } = await mintHandoff(w, alice, { cookie });
        await fetch(w.server.url, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'mutation { logout }' }),
        });
        const reply = await redeem(w, alice, token);
        return result(redeemed(reply), reply, hostEchoes(alice));
      }
      if (actor === 'disabled') {
        // Minted by a user who is disabled before redeeming it.
        const gina = await tenantWithRuntime(w, 'gina');
        const host = runtimeHost(gina.user.username);
        const { token } = await mintHandoff(w, host, { cookie: gina.cookie });
        if (!token) throw new Error('gina got no hand-off for her own runtime');
        await w.asUser(
          w.cookies.root,
          'mutation($id: ID!) { setUserStatus(id: $id, status: DISABLED) { __typename } }',
          { id: gina.user.globalId },
        );
        const reply = await redeem(w, host, token);
        return result(redeemed(reply), reply);
      }
      // Everyone else gets no token for alice's host; they try with what they have.
      const { token } = await mintHandoff(w, alice, auth);
      const reply = await redeem(w, alice, token, auth);
      return result(redeemed(reply), reply, hostEchoes(alice));
    },
  },
  {
    name: "* on a runtime host (embedded edge, HTTP): the owner's gateway",
    adminAccessFlag: true,
    policy: 'owner',
    scope: 'runtime:write',
    expect: { admin: 'deny' },
    claims: onRuntimeHost,
    examples: [{ method: 'GET', hostKind: 'runtime', path: '/' }],
    call: async (w, _a, auth) => {
      const before = w.gateway.received.length;
      const host = runtimeHost(w.users.alice.username);
      const reply = await send(w.port, {
        host,
        path: `/matrix/${unique()}`,
        headers: { accept: 'application/json', ...authHeaders(auth) },
      });
      const reached = w.gateway.received.length > before;
      const allowed = reply.status === 200 && reply.body.includes('"gateway":true');
      if (reached !== allowed)
        throw new Error(`gateway reached=${reached}, answer ${reply.status}`);
      return result(allowed, reply, hostEchoes(host));
    },
  },
  {
    name: "WebSocket upgrade on a runtime host (embedded edge): the owner's gateway",
    adminAccessFlag: true,
    policy: 'owner',
    scope: 'runtime:write',
    expect: { admin: 'deny' },
    claims: () => false, // probed as HTTP by the row above
    examples: [],
    call: async (w, _a, auth) => {
      const before = w.gateway.received.filter((r) => r.kind === 'ws').length;
      const host = runtimeHost(w.users.alice.username);
      const up = await upgrade(w.port, host, '/ws', authHeaders(auth));
      const reached = w.gateway.received.filter((r) => r.kind === 'ws').length > before;
      const allowed = up.kind === 'open';
      if (reached !== allowed) throw new Error(`gateway reached=${reached}, upgrade ${up.kind}`);
      return { allowed, text: JSON.stringify(up), echoes: hostEchoes(host) };
    },
  },
  {
    name: 'GET /v1/models (credential proxy): the caller’s models',
    policy: 'owner',
    // bob's own key lists bob's models (never alice's route: the canaries check).
    expect: { ...userCredentialsAreNotKeys, other: 'allow' },
    claims: (p) => !onRuntimeHost(p) && (p.path === '/v1' || p.path.startsWith('/v1/')),
    examples: [{ method: 'GET', hostKind: 'app', path: '/v1/models' }],
    call: proxyCall('GET', '/v1/models'),
  },
  {
    name: "POST /v1/chat/completions (credential proxy) with the owner's model",
    policy: 'owner',
    expect: userCredentialsAreNotKeys,
    claims: () => false,
    examples: [],
    call: async (w, actor, auth) =>
      proxyCall('POST', '/v1/chat/completions', {
        model: w.aliceRoute,
        messages: [{ role: 'user', content: 'matrix' }],
      })(w, actor, auth),
  },
  {
    name: "POST /v1/embeddings (credential proxy) with the owner's model",
    policy: 'owner',
    expect: userCredentialsAreNotKeys,
    claims: () => false,
    examples: [],
    call: async (w, actor, auth) =>
      proxyCall('POST', '/v1/embeddings', { model: w.aliceRoute, input: 'matrix' })(w, actor, auth),
  },
  {
    name: 'any other /v1/* (credential proxy): 404 after authentication, 401 before',
    policy: 'owner',
    expect: { ...userCredentialsAreNotKeys, owner: 'deny' },
    claims: () => false,
    examples: [],
    call: proxyCall('GET', '/v1/files'),
  },
  {
    name: 'GET /* (app host): the SPA',
    policy: 'public',
    // Only what actually is the SPA's page: a new GET route on the app host is not.
    claims: (p, reply) =>
      (p.method === 'GET' || p.method === 'HEAD') &&
      (p.hostKind === 'app' || p.hostKind === 'foreign') &&
      reply.status === 200 &&
      reply.body.includes('<p>SPA</p>'),
    examples: [{ method: 'GET', hostKind: 'app', path: '/admin/users' }],
    call: async (w, _a, auth) => {
      const reply = await send(w.port, {
        host: PUBLIC_HOST,
        path: '/admin/users',
        headers: { accept: 'text/html', ...authHeaders(auth) },
      });
      return result(reply.status === 200 && reply.body.includes('<p>SPA</p>'), reply);
    },
  },
];

/** `/metrics` with the METRICS_TOKEN bearer: the one caller it serves. */
export async function scrapeMetrics(w: World): Promise<Reply> {
  return send(w.port, {
    host: PUBLIC_HOST,
    path: '/metrics',
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
}

export type { Call };
