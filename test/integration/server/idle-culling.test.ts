import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { DEFAULT_PROFILE } from '../../../schema/domain/profiles.ts';
import { type Culled, createIdleCuller } from '../../../server/src/activity/idle-culler.ts';
import { buildServerApp } from '../../../server/src/server-app.ts';
import { send } from '../../e2e/entrance-support.ts';
import { expectNoGraphQLErrors, gql } from '../../testkit/graphql.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { waitFor } from '../../testkit/wait.ts';
import { type ModelStack, startModelStack } from '../model/model-harness.ts';
import { countStatements, observe } from './runtimes-fixtures.ts';

/** 4.8 s: short enough for a test, long against the 400 ms between the active runtimes' requests. */
const IDLE_MINUTES = 0.08;
const IDLE_MS = IDLE_MINUTES * 60_000;

/**
 * Idle culling end to end: the real entrance (embedded edge, HTTP and WebSocket) and credential proxy
 * in front of a stand-in gateway, the real activity recorder and culler on PostgreSQL. Only the
 * runtime rows' status is played by the test (as the orchestrator would write it).
 */
describe('idle culling', () => {
  let server: TestServer;
  let stack: ModelStack;
  let gateway: Server;
  let gatewayUrl: string;
  const sockets = new Set<WebSocket>();

  beforeAll(async () => {
    server = await startTestServer({ env: { IDLE_TIMEOUT_MINUTES: String(IDLE_MINUTES) } });
    stack = await startModelStack({ server });
    await stack.grant(await stack.createRoute({ name: 'm', isDefault: true }), 'everyone');
    gateway = createServer((_req, res) => res.end('gateway says hi'));
    // The gateway talks on its own (ticks), as OpenClaw does to an open Control UI.
    new WebSocketServer({ server: gateway }).on('connection', (ws) => {
      const tick = setInterval(() => ws.send('tick'), 200);
      ws.on('close', () => clearInterval(tick));
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    gateway?.closeAllConnections();
    await new Promise((r) => gateway?.close(r));
    await stack?.stop();
    await server?.stop();
  });

  async function startApp(opts: { flushMs: number; cullMs: number }) {
    const app = buildServerApp(
      { ...server.deps, listener: server.listener },
      { activity: { flushMs: opts.flushMs }, culler: { intervalMs: opts.cullMs } },
    );
    const port = await app.start(0, '127.0.0.1');
    return { app, port };
  }

  /** A user with a Running runtime whose gateway is the stand-in, a session and a model key. */
  async function userWithRuntime(name: string) {
    const user = await stack.seeder.createUser({ username: `${name}-${Date.now() % 100_000}` });
    const cookie = await stack.seeder.loginAs(user);
    const { runtimeId, key } = await stack.runtimeFor(user);
    await stack.sql('update runtimes set endpoint = ? where id = ?', [gatewayUrl, runtimeId]);
    return { user, cookie, runtimeId, key, host: `u-${user.username}.localhost:8080` };
  }
  type Subject = Awaited<ReturnType<typeof userWithRuntime>>;

  // node:http, not fetch: fetch may not set Host, and a runtime host is all the edge goes by.
  const viaEdge = (port: number, s: Subject) =>
    send('127.0.0.1', port, s.host, '/', { headers: { cookie: s.cookie } });
  const modelCall = (port: number, s: Subject) =>
    fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    }).then((r) => r.text().then(() => r.status));
  function openSocket(port: number, s: Subject): Promise<WebSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, {
      headers: { host: s.host, cookie: s.cookie },
    });
    sockets.add(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }
  const row = async (id: string) =>
    (
      await stack.sql(
        'select desired_state, stop_reason, generation, last_activity_at from runtimes where id = ?',
        [id],
      )
    )[0] as Record<string, unknown>;

  it('stops an idle runtime (reason Idle) and none of the active ones; the owner starts it again', async () => {
    const { app, port } = await startApp({ flushMs: 200, cullMs: 250 });
    try {
      const idle = await userWithRuntime('idle');
      const web = await userWithRuntime('web');
      const model = await userWithRuntime('model');
      const socket = await userWithRuntime('socket');
      // Opened once, then silent: only the gateway's ticks flow. Not activity.
      const silent = await openSocket(port, idle);
      const chatty = await openSocket(port, socket);
      expect(await viaEdge(port, web)).toMatchObject({ status: 200, body: 'gateway says hi' });
      expect(await modelCall(port, model)).toBe(200);

      let active = true;
      const keepBusy = (async () => {
        while (active) {
          await viaEdge(port, web);
          await modelCall(port, model);
          chatty.send('ping');
          await new Promise((r) => setTimeout(r, 400));
        }
      })();
      try {
        await waitFor('the idle runtime to be stopped', async () => {
          const r = await row(idle.runtimeId);
          return r.desired_state === 'stopped' && r;
        });
        const stoppedAt = Date.now();
        // A full timeout more: the active ones would have been stopped by now if their use did not count.
        await waitFor('one more idle timeout', () => Date.now() > stoppedAt + IDLE_MS + 1000, {
          timeoutMs: IDLE_MS + 10_000,
        });
        for (const s of [web, model, socket]) {
          const r = await row(s.runtimeId);
          expect(r, s.user.username).toMatchObject({ desired_state: 'running', stop_reason: null });
          expect(Date.now() - new Date(String(r.last_activity_at)).getTime()).toBeLessThan(IDLE_MS);
        }
      } finally {
        active = false;
        await keepBusy;
      }
      expect(silent.readyState).toBe(WebSocket.OPEN);

      // The stop went through the usual spec change: event, audit row, data untouched.
      expect(await row(idle.runtimeId)).toMatchObject({ stop_reason: 'Idle', generation: 2 });
      const events = await stack.sql(
        `select type, reason, message, actor_id from runtime_events
          where runtime_id = ? and type = 'SpecChanged' order by id`,
        [idle.runtimeId],
      );
      expect(events).toEqual([
        {
          type: 'SpecChanged',
          reason: 'Idle',
          message: `Stopped after ${Math.round(IDLE_MS / 1000)} s without activity`,
          actor_id: null,
        },
      ]);
      const audits = await stack.sql(
        `select action, result, actor_id, actor_label, detail from audit_events where target_id = ?`,
        [idle.runtimeId],
      );
      expect(audits).toMatchObject([
        {
          action: 'runtime.stop',
          result: 'ok',
          actor_id: null,
          actor_label: 'idle-culler',
          detail: { autoStop: 'Idle', desiredState: 'stopped' },
        },
      ]);

      // The API says why; the owner may start it again, with a full timeout ahead.
      await observe(server, idle.runtimeId, { phase: 'Stopped' });
      const graphql = `http://127.0.0.1:${port}/graphql`;
      const VIEW = `desiredState stopReason idleStopAt lastActivityAt status { message }`;
      const mine = expectNoGraphQLErrors(
        await gql(
          graphql,
          `{ myRuntime { ... on Runtime { id ${VIEW} } } }`,
          {},
          {
            cookie: idle.cookie,
          },
        ),
      ).myRuntime;
      expect(mine).toMatchObject({
        desiredState: 'STOPPED',
        stopReason: 'Idle',
        idleStopAt: null,
        status: { message: expect.stringMatching(/^Stopped because it was idle/) },
      });
      const started = expectNoGraphQLErrors(
        await gql(
          graphql,
          `mutation($id: ID) { startRuntime(id: $id) { __typename ... on Runtime { ${VIEW} } ... on Error { message } } }`,
          { id: mine.id },
          { cookie: idle.cookie },
        ),
      ).startRuntime;
      expect(started).toMatchObject({
        __typename: 'Runtime',
        desiredState: 'RUNNING',
        stopReason: null,
      });
      expect(new Date(started.idleStopAt).getTime()).toBeGreaterThan(Date.now());

      // A request id on every response of the app (here: through the edge).
      expect((await viaEdge(port, web)).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await app.stop();
    }
  }, 120_000);

  it('batches activity: many requests, one UPDATE per flush, none while serving', async () => {
    const { app, port } = await startApp({ flushMs: 3_600_000, cullMs: 3_600_000 });
    try {
      const web = await userWithRuntime('batch-web');
      const model = await userWithRuntime('batch-model');
      const served = await countStatements(server, async () => {
        for (let i = 0; i < 40; i++)
          expect((await viaEdge(port, web)).body).toBe('gateway says hi');
        for (let i = 0; i < 5; i++) expect(await modelCall(port, model)).toBe(200);
      });
      expect(served.statements.filter((s) => s.includes('set last_activity_at'))).toEqual([]);
      expect(app.activity.pendingCount).toBe(2);

      const flushed = await countStatements(server, () => app.activity.flush());
      expect(flushed.result).toBe(2);
      expect(flushed.statements).toHaveLength(1);
      expect(flushed.statements[0]).toMatch(/update runtimes/);
      for (const s of [web, model])
        expect((await row(s.runtimeId)).last_activity_at).not.toBeNull();
      const [owner] = await stack.sql('select last_activity_at from users where id = ?', [
        web.user.id,
      ]);
      expect(owner?.last_activity_at).not.toBeNull();

      const idle = await countStatements(server, () => app.activity.flush());
      expect(idle.statements).toHaveLength(0);
    } finally {
      await app.stop();
    }
  });

  it('two server processes sweeping at once stop a runtime once', async () => {
    const subject = await userWithRuntime('twice');
    await stack.sql(
      `update runtimes set spec_updated_at = now() - interval '1 hour' where id = ?`,
      [subject.runtimeId],
    );
    const settings = { IDLE_TIMEOUT_MINUTES: 1, MAX_RUNTIME_AGE_HOURS: 0 };
    const deps = { orm: server.deps.orm, settings, logger: server.deps.logger };
    const [a, b] = [createIdleCuller(deps), createIdleCuller(deps)];
    // Hold the row so that both sweeps have read it as idle and wait for its lock, then let go.
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    let results: Culled[][];
    try {
      await holder.query('begin');
      await holder.query('select 1 from runtimes where id = $1 for update', [subject.runtimeId]);
      const sweeps = Promise.all([a.sweep(), b.sweep()]);
      await waitFor('both sweeps waiting for the row', async () => {
        const [w] = await stack.sql(`select count(*)::int as n from pg_locks where not granted`);
        return Number(w?.n) >= 2;
      });
      await holder.query('commit');
      results = await sweeps;
    } finally {
      await holder.end();
    }
    const mine = results.flat().filter((c) => c.runtimeId === subject.runtimeId);
    expect(mine).toEqual([{ runtimeId: subject.runtimeId, reason: 'Idle' }]);
    const events = await stack.sql(
      `select reason from runtime_events where runtime_id = ? and type = 'SpecChanged'`,
      [subject.runtimeId],
    );
    expect(events).toEqual([{ reason: 'Idle' }]);
  });

  it('max age stops an active runtime; a profile override replaces the idle timeout', async () => {
    const old = await userWithRuntime('old');
    const never = await userWithRuntime('never');
    const quick = await userWithRuntime('quick');
    await stack.sql(
      `update runtimes set spec_updated_at = now() - interval '3 hours', last_activity_at = now()
        where id = ?`,
      [old.runtimeId],
    );
    // Profile copies in the spec: 0 = never idle-stopped; 1 = after a minute (global: a day).
    const copy = (idleTimeoutMinutes: number) =>
      JSON.stringify({ ...DEFAULT_PROFILE, idleTimeoutMinutes });
    await stack.sql(
      `update runtimes set spec_updated_at = now() - interval '2 hours', profile_spec = ?::jsonb
        where id = ?`,
      [copy(0), never.runtimeId],
    );
    await stack.sql(
      `update runtimes set spec_updated_at = now() - interval '2 minutes', profile_spec = ?::jsonb
        where id = ?`,
      [copy(1), quick.runtimeId],
    );
    // The API applies the same override (this server's own timeout is IDLE_MINUTES).
    const deadline = async (s: Subject) =>
      expectNoGraphQLErrors(
        await gql(
          server.url,
          '{ myRuntime { ... on Runtime { idleStopAt specUpdatedAt } } }',
          {},
          { cookie: s.cookie },
        ),
      ).myRuntime;
    expect((await deadline(never)).idleStopAt).toBeNull();
    const q = await deadline(quick);
    expect(Date.parse(q.idleStopAt) - Date.parse(q.specUpdatedAt)).toBe(60_000);
    const culler = createIdleCuller({
      orm: server.deps.orm,
      settings: { IDLE_TIMEOUT_MINUTES: 60 * 24, MAX_RUNTIME_AGE_HOURS: 2.5 },
      logger: server.deps.logger,
    });
    const culled = await culler.sweep();
    const byId = new Map(culled.map((c) => [c.runtimeId, c.reason]));
    expect(byId.get(old.runtimeId)).toBe('MaxAge');
    expect(byId.get(quick.runtimeId)).toBe('Idle');
    expect(byId.has(never.runtimeId)).toBe(false);
    expect(await row(old.runtimeId)).toMatchObject({
      desired_state: 'stopped',
      stop_reason: 'MaxAge',
    });
  });
});
