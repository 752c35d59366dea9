import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeDriver } from '../../../orchestrator/src/drivers/driver.ts';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { PASSWORD_ENV } from '../../../orchestrator/src/drivers/kubernetes/render/secret.ts';
import { createLocalDriver } from '../../../orchestrator/src/drivers/local/local-driver.ts';
import { ownerPaths } from '../../../orchestrator/src/drivers/local/paths.ts';
import { createLogger } from '../../../orchestrator/src/logger.ts';
import { MODEL_KEY_ENV } from '../../../orchestrator/src/render/openclaw-config.ts';
import { expectNoGraphQLErrors, gql } from '../../testkit/graphql.ts';
import { type KubeBackend, startKubeBackend } from '../../testkit/kube-backend.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import {
  captureLogs,
  databaseText,
  directoryText,
  SecretScanner,
} from '../../testkit/secret-scan.ts';
import type { SeededUser } from '../../testkit/seed.ts';
import { startTestServer } from '../../testkit/server.ts';
import { waitFor } from '../../testkit/wait.ts';
import { type ModelStack, startModelStack, UPSTREAM_KEY } from '../model/model-harness.ts';

/**
 * What the orchestrator renders for a runtime holds no credential in plaintext: a runtime's proxy key
 * and gateway password reach the gateway only through its process environment (local driver) or a
 * Kubernetes Secret — never openclaw.json, a ConfigMap, a Pod spec, a log line or a database row.
 * The credentials are read from where they belong, then looked for everywhere else.
 */
const NS = 'clawloops-runtimes';

interface Stack {
  m: ModelStack;
  scanner: SecretScanner;
  logs: ReturnType<typeof captureLogs>;
  alice: SeededUser;
  runtimeId: string;
}

/** A server (logs captured) with the credential proxy, a granted route, and alice. */
async function stack(): Promise<Omit<Stack, 'runtimeId'>> {
  const logs = captureLogs();
  const server = await startTestServer({ logStream: logs.stream, env: { LOG_LEVEL: 'debug' } });
  const m = await startModelStack({ server });
  await m.grant(await m.createRoute({ name: 'claw-model', isDefault: true }), 'everyone');
  const scanner = new SecretScanner();
  scanner.add('CLAWLOOPS_SECRET', server.deps.secret);
  scanner.add('upstream model key', UPSTREAM_KEY, { allowedIn: /^upstream-received#/ });
  const alice = await m.seeder.createUser();
  scanner.add('password', alice.password);
  return { m, scanner, logs, alice };
}

async function startRuntime(s: Omit<Stack, 'runtimeId'>): Promise<string> {
  const cookie = await s.m.seeder.loginAs(s.alice);
  s.scanner.add('session cookie', cookie.replace(/^clawloops_session=/, ''));
  const res = await gql(
    s.m.server.url,
    'mutation { startRuntime { ... on Runtime { id } } }',
    {},
    {
      cookie,
    },
  );
  const id = expectNoGraphQLErrors(res).startRuntime.id as string;
  return Buffer.from(id, 'base64').toString().split(':')[1] as string;
}

async function running(s: Stack, timeoutMs: number): Promise<void> {
  await waitFor(
    'Running',
    async () =>
      (await s.m.sql('select phase from runtimes where id = ?', [s.runtimeId]))[0]?.phase ===
      'Running',
    { timeoutMs, intervalMs: 250 },
  );
}

/** Everything both drivers' runs share: logs, the database, what the upstream received. */
async function collectCommon(s: Stack, orchestratorLogs: ReturnType<typeof captureLogs>) {
  await s.m.proxy.flushUsage();
  expect(orchestratorLogs.lines().length, 'orchestrator logs not captured').toBeGreaterThan(0);
  s.scanner.collect('log:server', s.logs.text());
  s.scanner.collect('log:orchestrator', orchestratorLogs.text());
  for (const [source, text] of await databaseText(s.m.sql)) s.scanner.collect(source, text);
  for (const [i, r] of s.m.fake.requests.entries())
    s.scanner.collect(`upstream-received#${i}`, r.headers);
}

/** The runtime uses its key once, so the proxy (and its logs) handle it too. */
async function useKey(s: Stack, key: string): Promise<void> {
  const res = await s.m.client(key).chat.completions.create({
    model: 'claw-model',
    messages: [{ role: 'user', content: 'hello' }],
  });
  expect(res.choices.length).toBeGreaterThan(0);
}

describe('local driver + real OpenClaw', () => {
  let s: Stack;
  let dataDir: string;
  let driver: RuntimeDriver;
  let orch: TestOrchestrator;
  const orchestratorLogs = captureLogs();

  beforeAll(async () => {
    const base = await stack();
    dataDir = mkdtempSync(join(tmpdir(), 'clawloops-secrets-'));
    driver = createLocalDriver({
      dataDir,
      portBase: 25_300,
      stopTimeoutMs: 8_000,
      logger: createLogger('debug', false, orchestratorLogs.stream),
    });
    orch = await startTestOrchestrator(base.m.server.databaseUrl, driver, {
      target: {
        secret: base.m.server.deps.secret,
        publicUrl: 'http://localhost:8080',
        modelProxyUrl: base.m.proxyUrl,
      },
      logStream: orchestratorLogs.stream,
      logLevel: 'debug',
    });
    s = { ...base, runtimeId: await startRuntime(base) };
    await running(s, 150_000);
  }, 180_000);

  afterAll(async () => {
    await orch?.orchestrator.stop({ stopRuntimes: true });
    await orch?.stop();
    for (const id of (await driver?.listKnown()) ?? [])
      await driver.ensureDeleted(id, s?.alice.id ?? '', 'wipe').catch(() => {});
    await s?.m.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the proxy key and gateway password live only in the gateway process environment', async () => {
    const config = ownerPaths(dataDir, s.alice.id).config;
    const env = gatewayEnv(config);
    const key = env.get(MODEL_KEY_ENV);
    const password = env.get(PASSWORD_ENV);
    expect(key, 'the gateway runs without its proxy key').toMatch(/^clk_/);
    expect(password, 'the gateway runs without its password').toBeTruthy();
    s.scanner.add('runtime model key', key as string);
    s.scanner.add('gateway password', password as string);
    await useKey(s, key as string);
    // The config refers to the key; without that the scan below would prove little.
    expect(readFileSync(config, 'utf8')).toContain(`\${${MODEL_KEY_ENV}}`);

    await collectCommon(s, orchestratorLogs);
    const files = directoryText(dataDir);
    expect([...files.keys()].filter((f) => f.endsWith('openclaw.json'))).not.toEqual([]);
    for (const [source, text] of files) s.scanner.collect(source, text);
    const stats = s.scanner.stats();
    console.info(`local driver: ${stats.secrets} secrets × ${stats.sources} sources scanned`);
    s.scanner.assertNoLeaks();
  });
});

describe('Kubernetes driver on the API-server simulator', () => {
  let s: Stack;
  let backend: KubeBackend;
  let orch: TestOrchestrator;
  const orchestratorLogs = captureLogs();

  beforeAll(async () => {
    const base = await stack();
    backend = await startKubeBackend('sim', [NS]);
    const driver = createKubernetesDriver({
      kubeConfig: backend.kubeConfig(NS),
      namespace: NS,
      baseDomain: 'example.test',
      logger: createLogger('debug', false, orchestratorLogs.stream),
    });
    orch = await startTestOrchestrator(base.m.server.databaseUrl, driver, {
      target: {
        secret: base.m.server.deps.secret,
        publicUrl: 'https://example.test',
        modelProxyUrl: base.m.proxyUrl,
      },
      logStream: orchestratorLogs.stream,
      logLevel: 'debug',
    });
    s = { ...base, runtimeId: await startRuntime(base) };
    await running(s, 30_000);
  }, 120_000);

  afterAll(async () => {
    await orch?.stop();
    await backend?.stop();
    await s?.m.stop();
  });

  it('credentials are in the runtime Secret only; ConfigMaps, Pods and the rest hold none', async () => {
    const objects = (
      await Promise.all(
        KINDS.map(([apiVersion, kind]) => backend.list(apiVersion, kind, { namespace: NS })),
      )
    ).flat();
    const secrets = objects.filter((o) => o.kind === 'Secret');
    expect(secrets).toHaveLength(1);
    const data = (secrets[0] as unknown as { data: Record<string, string> }).data;
    const decode = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString();
    expect(decode(MODEL_KEY_ENV)).toMatch(/^clk_/);
    expect(decode(PASSWORD_ENV)).toBeTruthy();
    s.scanner.add('runtime model key', decode(MODEL_KEY_ENV), { allowedIn: /^k8s:Secret\// });
    s.scanner.add('gateway password', decode(PASSWORD_ENV), { allowedIn: /^k8s:Secret\// });
    await useKey(s, decode(MODEL_KEY_ENV));
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
    expect(JSON.stringify(configMaps)).toContain(`\${${MODEL_KEY_ENV}}`);

    for (const o of objects)
      s.scanner.collect(`k8s:${o.kind}/${(o.metadata as { name: string }).name}`, o);
    await collectCommon(s, orchestratorLogs);
    const stats = s.scanner.stats();
    console.info(
      `kubernetes driver: ${objects.length} objects, ${stats.secrets} secrets × ${stats.sources} sources scanned`,
    );
    s.scanner.assertNoLeaks();
  });
});

const KINDS: [string, string][] = [
  ['v1', 'Secret'],
  ['v1', 'ConfigMap'],
  ['v1', 'Pod'],
  ['v1', 'Service'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'Event'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['traefik.io/v1alpha1', 'IngressRoute'],
];

/** The environment of the gateway process started with this config file. */
function gatewayEnv(configPath: string): Map<string, string> {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (!environ.includes(`OPENCLAW_CONFIG_PATH=${configPath}\0`)) continue;
      return new Map(
        environ
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
    } catch {
      // gone, or not ours
    }
  }
  throw new Error('gateway process not found');
}
