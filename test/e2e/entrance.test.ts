import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeDriver } from '../../orchestrator/src/drivers/driver.ts';
import { createLocalDriver } from '../../orchestrator/src/drivers/local/local-driver.ts';
import { CHANNELS } from '../../schema/domain/channels.ts';
import { caddyAvailable, freePort, startCaddy, type TestCaddy } from '../testkit/caddy.ts';
import {
  startTestOrchestrator,
  TEST_SECRET,
  type TestOrchestrator,
} from '../testkit/orchestrator.ts';
import { type SeededUser, seed } from '../testkit/seed.ts';
import { SpecWriter } from '../testkit/spec-writer.ts';
import { waitFor } from '../testkit/wait.ts';
import {
  connectGateway,
  type EntranceServer,
  externalIPv4,
  send,
  startEntranceServer,
} from './entrance-support.ts';

const IDENTITY = 'X-Clawloops-User X-Clawloops-User-Id X-Clawloops-Runtime-Id';
const NAV = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' };
const OWNER_SCOPES = ['operator.read', 'operator.write', 'operator.approvals', 'operator.admin'];

/**
 * The entrance end to end: a REAL Caddy (forward_auth → /auth/forward, copy_headers, reverse_proxy by
 * host) and the embedded edge, both in front of a REAL OpenClaw gateway started by the orchestrator.
 */
describe.skipIf(!caddyAvailable())(
  'entrance: Caddy forward_auth and the embedded edge + real OpenClaw',
  () => {
    // Caddy sees this client as remote (OpenClaw needs a non-loopback client); without one, Caddy
    // overwrites X-Forwarded-For the way the embedded edge does for same-host browsers.
    const clientIp = externalIPv4() ?? '127.0.0.1';
    let caddyPort: number;
    let host: string; // u-alice.localhost:<caddy port>, the runtime's public host
    let origin: string;
    let es: EntranceServer;
    let caddy: TestCaddy;
    let echo: Server;
    let echoed: Record<string, string | string[] | undefined>[] = [];
    let spec: SpecWriter;
    let orch: TestOrchestrator;
    let driver: RuntimeDriver;
    let dataDir: string;
    let alice: SeededUser;
    let bob: SeededUser;
    let aliceCookie: string;
    let bobCookie: string;
    let runtimeId: string;

    const viaCaddy = (path: string, headers: Record<string, string> = {}, h = host) =>
      send(clientIp, caddyPort, h, path, { headers });
    const viaEdge = (path: string, headers: Record<string, string> = {}) =>
      send('127.0.0.1', es.port, host, path, { headers });

    beforeAll(async () => {
      caddyPort = await freePort();
      host = `u-alice.localhost:${caddyPort}`;
      origin = `http://${host}`;
      es = await startEntranceServer({ PUBLIC_URL: `http://localhost:${caddyPort}` });
      const users = seed(es.server);
      alice = await users.createUser({ username: 'alice' });
      bob = await users.createUser({ username: 'bob' });
      aliceCookie = await users.loginAs(alice);
      bobCookie = await users.loginAs(bob);

      dataDir = mkdtempSync(join(tmpdir(), 'clawloops-e2e-'));
      driver = createLocalDriver({ dataDir, portBase: 23_000, stopTimeoutMs: 8_000 });
      orch = await startTestOrchestrator(es.server.databaseUrl, driver, {
        target: { secret: TEST_SECRET, publicUrl: `http://localhost:${caddyPort}` },
      });
      spec = new SpecWriter(es.server.databaseUrl);
      runtimeId = await spec.runtime(alice.id);
      await waitFor('Running', () => spec.reached(runtimeId, 'Running'), {
        timeoutMs: 150_000,
        intervalMs: 250,
      });
      const endpoint = new URL((await spec.status(runtimeId)).endpoint as string);

      echo = createServer((req, res) => {
        echoed.push(req.headers);
        res.end('app');
      });
      const echoPort = await new Promise<number>((r) =>
        echo.listen(0, '127.0.0.1', () => r((echo.address() as { port: number }).port)),
      );
      const xff = clientIp === '127.0.0.1' ? '\n\t\theader_up X-Forwarded-For 100::1' : '';
      caddy = await startCaddy(
        (port) => `(entrance) {
	forward_auth 127.0.0.1:${es.port} {
		uri /auth/forward
		copy_headers ${IDENTITY} Cookie Authorization
	}
}
http://u-alice.localhost:${port} {
	import entrance
	handle /__echo {
		reverse_proxy 127.0.0.1:${echoPort}
	}
	handle {
		reverse_proxy ${endpoint.host} {${xff}
		}
	}
}
http://:${port} {
	import entrance
	reverse_proxy 127.0.0.1:${echoPort}
}
`,
        caddyPort,
      );
    }, 200_000);

    afterAll(async () => {
      await caddy?.stop();
      echo?.close();
      if (runtimeId) await driver?.ensureDeleted(runtimeId, alice.id, 'wipe').catch(() => {});
      await orch?.stop();
      await spec?.close();
      await es?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('the owner loads the Control UI and its gated config through Caddy', async () => {
      const page = await viaCaddy('/', { ...NAV, cookie: aliceCookie });
      expect(page.status, caddy.output()).toBe(200);
      expect(page.body).toContain('<title>OpenClaw Control</title>');
      // Gated by trusted-proxy identity: proves the identity header reached the gateway intact.
      const config = await viaCaddy('/control-ui-config.json', { cookie: aliceCookie });
      expect(config.status, config.body).toBe(200);
    });

    it('the owner opens the gateway WebSocket through Caddy: hello-ok with operator scopes', async () => {
      const r = await connectGateway(clientIp, caddyPort, host, origin, { cookie: aliceCookie });
      expect(r.kind, JSON.stringify(r)).toBe('hello');
      if (r.kind !== 'hello') return;
      expect(r.payload.auth.role).toBe('operator');
      expect(r.payload.auth.scopes).toEqual(expect.arrayContaining(OWNER_SCOPES));
      r.ws.close();
    });

    it('another user gets 403, on pages and on the WebSocket', async () => {
      expect((await viaCaddy('/', { ...NAV, cookie: bobCookie })).status).toBe(403);
      expect((await viaCaddy('/control-ui-config.json', { cookie: bobCookie })).status).toBe(403);
      const ws = await connectGateway(clientIp, caddyPort, host, origin, { cookie: bobCookie });
      expect(ws).toMatchObject({ kind: 'refused', status: 403 });
    });

    it('anonymous: a browser navigation is sent to the login hand-off (302), an XHR gets 401', async () => {
      const nav = await viaCaddy('/chat?x=1', NAV);
      expect(nav.status).toBe(302);
      expect(nav.headers.location).toBe(
        `http://localhost:${caddyPort}/auth/runtime-login?host=${encodeURIComponent(host)}&return=${encodeURIComponent('/chat?x=1')}`,
      );
      const xhr = await viaCaddy('/control-ui-config.json', {
        accept: 'application/json',
        'x-requested-with': 'XMLHttpRequest',
      });
      expect(xhr.status).toBe(401);
      expect(JSON.parse(xhr.body)).toMatchObject({ code: 'unauthenticated' });
      expect(await connectGateway(clientIp, caddyPort, host, origin)).toMatchObject({
        kind: 'refused',
        status: 401,
      });
    });

    it('client-forged identity headers never count', async () => {
      const forged = { 'x-clawloops-user': 'alice', 'x-clawloops-user-id': alice.id };
      expect(
        (await viaCaddy('/control-ui-config.json', { ...forged, accept: 'application/json' }))
          .status,
      ).toBe(401);
      expect(
        (await viaCaddy('/control-ui-config.json', { ...forged, cookie: bobCookie })).status,
      ).toBe(403);
      // Owner with a forged identity: the gateway admits only alice, so 200 proves Caddy overwrote it.
      const owner = await viaCaddy('/control-ui-config.json', {
        'x-clawloops-user': 'bob',
        cookie: aliceCookie,
      });
      expect(owner.status).toBe(200);
      // App host: headers are present but empty — never the client's value, never a Caddy placeholder.
      echoed = [];
      const app = await viaCaddy('/', { 'x-clawloops-user': 'mallory' }, `localhost:${caddyPort}`);
      expect(app.status).toBe(200);
      const seen = echoed[0]?.['x-clawloops-user'];
      expect(seen === undefined || seen === '', String(seen)).toBe(true);
    });

    // (Any Authorization header is taken as a ClawLoops credential — a `clt_` token never opens a
    // runtime — so only the session cookie can ride along on an allowed request.)
    it("the runtime never receives its owner's session cookie; its own cookies go on", async () => {
      echoed = [];
      const withOthers = await viaCaddy('/__echo', {
        cookie: `theme=dark; ${aliceCookie}; openclaw=1`,
      });
      expect(withOthers.status).toBe(200);
      expect(echoed[0]?.cookie).toBe('theme=dark; openclaw=1');
      echoed = [];
      await viaCaddy('/__echo', { cookie: aliceCookie });
      expect(echoed[0]?.cookie ?? '').toBe('');
      expect(echoed[0]?.authorization ?? '').toBe('');
    });

    it('the embedded edge serves the same runtime: page, config and WebSocket from a loopback browser', async () => {
      const page = await viaEdge('/', {
        ...NAV,
        cookie: aliceCookie,
        'x-clawloops-user': 'bob',
        'x-forwarded-for': '127.0.0.1',
      });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>OpenClaw Control</title>');
      expect((await viaEdge('/control-ui-config.json', { cookie: aliceCookie })).status).toBe(200);
      const r = await connectGateway('127.0.0.1', es.port, host, origin, { cookie: aliceCookie });
      expect(r.kind, JSON.stringify(r)).toBe('hello');
      if (r.kind === 'hello') r.ws.close();
      expect((await viaEdge('/', { ...NAV, cookie: bobCookie })).status).toBe(403);
      expect((await viaEdge('/', NAV)).status).toBe(302);
      expect((await viaEdge('/x', { accept: 'application/json' })).status).toBe(401);
    });

    it('logout cuts access within 1 s: new requests through Caddy and the open edge WebSocket', async () => {
      const cookie = await seed(es.server).loginAs(alice);
      const edgeWs = await connectGateway('127.0.0.1', es.port, host, origin, { cookie });
      expect(edgeWs.kind).toBe('hello');
      expect((await viaCaddy('/control-ui-config.json', { cookie })).status).toBe(200);
      const closed = new Promise<number>(
        (r) => edgeWs.kind === 'hello' && edgeWs.ws.once('close', () => r(Date.now())),
      );

      const t0 = Date.now();
      await revokeSessionsOf(alice.id);
      await waitFor(
        'denied via Caddy',
        async () => (await viaCaddy('/control-ui-config.json', { cookie })).status === 401,
        { timeoutMs: 1_000, intervalMs: 20 },
      );
      expect(Date.now() - t0).toBeLessThan(1_000);
      expect((await closed) - t0).toBeLessThan(1_000);
    });

    it('disabling the owner denies at once; a stopped runtime answers 503 with its phase', async () => {
      const cookie = await seed(es.server).loginAs(alice);
      await setStatus(alice.id, 'disabled');
      await waitFor(
        'denied',
        async () => (await viaCaddy('/', { ...NAV, cookie })).status === 302,
        { timeoutMs: 1_000, intervalMs: 20 },
      );
      await setStatus(alice.id, 'active');
      await spec.setDesired(runtimeId, 'stopped');
      await waitFor('Stopped', () => spec.reached(runtimeId, 'Stopped'), { timeoutMs: 30_000 });
      await waitFor('503', async () => (await viaEdge('/', { ...NAV, cookie })).status === 503, {
        timeoutMs: 2_000,
      });
      const page = await viaEdge('/', { ...NAV, cookie });
      expect(page.body).toContain('not running (Stopped)');
      const api = await viaCaddy('/x', { cookie, accept: 'application/json' });
      expect(api.status).toBe(503);
      expect(JSON.parse(api.body)).toMatchObject({ code: 'not_running', phase: 'Stopped' });
    }, 60_000);

    /** What logout does: revoke in the database, then NOTIFY every server process. */
    async function revokeSessionsOf(userId: string) {
      const conn = es.server.deps.orm.em.getConnection();
      const rows = await conn.execute(
        'update sessions set revoked_at = now() where user_id = ? returning id',
        [userId],
      );
      for (const r of rows)
        await conn.execute('select pg_notify(?, ?)', [CHANNELS.authInvalidate, `session:${r.id}`]);
    }

    async function setStatus(userId: string, status: 'active' | 'disabled') {
      const conn = es.server.deps.orm.em.getConnection();
      await conn.execute('update users set status = ? where id = ?', [status, userId]);
      await conn.execute('select pg_notify(?, ?)', [CHANNELS.authInvalidate, `user:${userId}`]);
    }
  },
);
