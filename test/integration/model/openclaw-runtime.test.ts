import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeDriver } from '../../../orchestrator/src/drivers/driver.ts';
import { createLocalDriver } from '../../../orchestrator/src/drivers/local/local-driver.ts';
import { ownerPaths } from '../../../orchestrator/src/drivers/local/paths.ts';
import { IDENTITY_HEADER } from '../../../schema/domain/identity.ts';
import { modelKeyHash } from '../../../schema/domain/model-key.ts';
import { userHostLabel } from '../../../schema/domain/slugs.ts';
import { LOCAL_CLIENT_ATTRIBUTION } from '../../../server/src/edge/upstream-headers.ts';
import { connectGateway } from '../../e2e/entrance-support.ts';
import { expectNoGraphQLErrors, gql } from '../../testkit/graphql.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import type { SeededUser } from '../../testkit/seed.ts';
import { waitFor } from '../../testkit/wait.ts';
import { type ModelStack, startModelStack, UPSTREAM_KEY } from './model-harness.ts';

/** The process whose environment points at this config file: the gateway the driver spawned. */
function gatewayPid(configPath: string): number {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (
        readFileSync(`/proc/${pid}/environ`, 'utf8').includes(
          `OPENCLAW_CONFIG_PATH=${configPath}\0`,
        )
      )
        return Number(pid);
    } catch {
      // gone, or not ours
    }
  }
  throw new Error('gateway process not found');
}

/**
 * A REAL OpenClaw runtime, started through the server's API and the orchestrator's local driver, makes
 * a chat turn that reaches the fake upstream through the credential proxy with its own key — while
 * neither its openclaw.json nor its process environment holds the upstream credential.
 */
describe('a real OpenClaw runtime uses models only through the credential proxy', () => {
  let m: ModelStack;
  let dataDir: string;
  let driver: RuntimeDriver;
  let orch: TestOrchestrator;
  let alice: SeededUser;
  let runtimeId: string;

  beforeAll(async () => {
    m = await startModelStack();
    const route = await m.createRoute({
      name: 'claw-model',
      isDefault: true,
      contextWindow: 64000,
      maxTokens: 2048,
    });
    await m.grant(route, 'everyone');
    dataDir = mkdtempSync(join(tmpdir(), 'clawloops-model-'));
    driver = createLocalDriver({ dataDir, portBase: 23_000, stopTimeoutMs: 8_000 });
    orch = await startTestOrchestrator(m.server.databaseUrl, driver, {
      target: {
        secret: m.server.deps.secret,
        publicUrl: 'http://localhost:8080',
        modelProxyUrl: m.proxyUrl,
      },
    });
    alice = await m.seeder.createUser();
    const cookie = await m.seeder.loginAs(alice);
    const res = await gql(
      m.server.url,
      `mutation { startRuntime { __typename ... on Runtime { id } } }`,
      {},
      { cookie },
    );
    const started = expectNoGraphQLErrors(res).startRuntime;
    runtimeId = Buffer.from(started.id, 'base64').toString().split(':')[1] as string;
    await waitFor(
      'Running',
      async () =>
        (await m.sql(`select phase from runtimes where id = ?`, [runtimeId]))[0]?.phase ===
        'Running',
      { timeoutMs: 150_000, intervalMs: 250 },
    );
  }, 180_000);

  afterAll(async () => {
    // Stop the gateways while the driver still holds them (after stop() it has let go of them).
    await orch?.orchestrator.stop({ stopRuntimes: true });
    await orch?.stop();
    for (const id of (await driver?.listKnown()) ?? [])
      await driver.ensureDeleted(id, alice?.id ?? '', 'wipe').catch(() => {});
    await m?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('openclaw.json names the proxy and an env reference; no credential of any kind', () => {
    const path = ownerPaths(dataDir, alice.id).config;
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(UPSTREAM_KEY);
    expect(text).not.toContain('clk_');
    const provider = JSON.parse(text).models.providers.clawloops;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: OpenClaw's env reference, literally
    expect(provider).toMatchObject({ baseUrl: m.proxyUrl, apiKey: '${CLAWLOOPS_MODEL_KEY}' });
    expect(provider.models).toEqual([
      { id: 'claw-model', name: 'claw-model', contextWindow: 64000, maxTokens: 2048 },
    ]);
    expect(JSON.parse(text).agents.defaults.model.primary).toBe('clawloops/claw-model');
  });

  it('the gateway process holds its own proxy key (hash on record) and no upstream credential', async () => {
    const environ = readFileSync(
      `/proc/${gatewayPid(ownerPaths(dataDir, alice.id).config)}/environ`,
      'utf8',
    );
    expect(environ).not.toContain(UPSTREAM_KEY);
    const key = /CLAWLOOPS_MODEL_KEY=(clk_[A-Za-z0-9_-]+)/.exec(environ)?.[1] as string;
    expect(key).toBeDefined();
    const [cred] = await m.sql(
      `select key_hash, epoch from runtime_credentials where runtime_id = ?`,
      [runtimeId],
    );
    expect(cred?.key_hash).toBe(modelKeyHash(key));
  });

  it('a chat turn over the gateway WebSocket reaches the fake upstream through the proxy', async () => {
    const [row] = await m.sql(`select endpoint from runtimes where id = ?`, [runtimeId]);
    const port = Number(new URL(String(row?.endpoint)).port);
    const host = `${userHostLabel(alice.username)}.localhost:8080`;
    const gw = await connectGateway('127.0.0.1', port, host, `http://${host}`, {
      [IDENTITY_HEADER]: alice.username,
      'x-forwarded-proto': 'http',
      // What the embedded edge sends for a local browser (the gateway refuses loopback attribution).
      'x-forwarded-for': LOCAL_CLIENT_ATTRIBUTION,
      'x-forwarded-host': host,
    });
    expect(gw.kind, JSON.stringify(gw)).toBe('hello');
    if (gw.kind !== 'hello') return;
    const before = m.fake.requests.length;
    const ack = new Promise<{ ok: boolean; error?: unknown }>((resolve) =>
      gw.ws.on('message', (d) => {
        const f = JSON.parse(d.toString());
        if (f.type === 'res' && f.id === 'send-1') resolve(f);
      }),
    );
    gw.ws.send(
      JSON.stringify({
        type: 'req',
        id: 'send-1',
        method: 'chat.send',
        params: { sessionKey: 'main', message: 'Say hello.', idempotencyKey: crypto.randomUUID() },
      }),
    );
    expect((await ack).ok, JSON.stringify(await ack)).toBe(true);
    const call = await waitFor(
      'the upstream call',
      () => m.fake.requests.slice(before).find((r) => r.path.endsWith('/chat/completions')),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    gw.ws.close();
    expect(call.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(call.body?.model).toBe('fake-model');
    const rows = await waitFor('a ledger row for this runtime', async () => {
      const r = await m.usageRows(runtimeId);
      return r.length > 0 && r;
    });
    expect(rows[0]).toMatchObject({ model: 'claw-model', user_id: alice.id, status: 200 });
    expect(rows[0]?.prompt_tokens).toBeGreaterThan(0);
  }, 90_000);
});
