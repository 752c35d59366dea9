// Worker thread for model-proxy.bench.ts: `fake` runs the fake OpenAI upstream; `proxy` runs the
// server's buildApp with the credential proxy mounted, seeded with one user, one route granted to
// everyone, and one runtime key. Each gets its own event loop so the generator does not steal its CPU.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { deriveModelKey, modelKeyHash } from '../../schema/domain/model-key.ts';
import { initOrm } from '../../schema/orm-config.ts';
import { buildApp } from '../../server/src/app.ts';
import { createAuthenticator } from '../../server/src/auth/authenticator.ts';
import { parseConfig } from '../../server/src/config.ts';
import { PgListener } from '../../server/src/db/pg-listener.ts';
import { RuntimeEventHub } from '../../server/src/events/runtime-event-hub.ts';
import { createLogger } from '../../server/src/logger.ts';
import { buildModelProxy } from '../../server/src/model-proxy/build.ts';
import { startFakeOpenAi } from '../fake-openai/fake-openai-upstream.ts';

const data = workerData as {
  mode: 'fake' | 'proxy' | 'bare';
  databaseUrl?: string;
  upstreamUrl?: string;
  responseDelayMs?: number;
};
const port = parentPort;
if (!port) throw new Error('run as a worker');
const SECRET = 'b'.repeat(40);

/** Every mode answers `cpu` with this thread's CPU time so far (µs), for CPU per request. */
function answersCpu(m: unknown): boolean {
  if (m !== 'cpu') return false;
  const { user, system } = process.threadCpuUsage();
  port?.postMessage({ cpuUs: user + system });
  return true;
}

if (data.mode === 'bare') {
  // The floor for any Node proxy on this machine: pass-through with keep-alive, no auth, no parsing.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const upstream = new URL(data.upstreamUrl as string);
  const server = http.createServer((req, res) => {
    const up = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: `/v1${(req.url ?? '').slice(3)}`,
        method: req.method,
        headers: req.headers,
        agent,
      },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    req.pipe(up);
  });
  server.listen(0, '127.0.0.1', () =>
    port.postMessage({ port: (server.address() as AddressInfo).port }),
  );
  port.on('message', (m) => answersCpu(m) || process.exit(0));
} else if (data.mode === 'fake') {
  const fake = await startFakeOpenAi({
    apiKey: 'sk-bench-upstream',
    responseDelayMs: data.responseDelayMs ?? 0,
  });
  port.postMessage({ port: fake.port });
  port.on('message', async (m) => {
    if (answersCpu(m) || m !== 'stop') return;
    await fake.stop();
    process.exit(0);
  });
} else {
  const url = data.databaseUrl as string;
  const config = parseConfig({ DATABASE_URL: url, CLAWLOOPS_SECRET: SECRET, LOG_LEVEL: 'silent' });
  const logger = createLogger('silent', false);
  const orm = await initOrm({ clientUrl: url, poolMax: 8 });
  const listener = new PgListener(url, logger);
  await listener.start();
  const hub = new RuntimeEventHub(orm.em, logger);
  const authenticator = createAuthenticator({ orm, config, secret: SECRET, listener, logger });
  const deps = { orm, config, logger, secret: SECRET, authenticator, hub };
  const proxy = buildModelProxy({ ...deps, listener });
  const app = buildApp(deps, { routes: [proxy.route] });
  const key = await seedRuntime(orm, data.upstreamUrl as string);
  const p = await app.start(0, '127.0.0.1');
  port.postMessage({ port: p, key });
  port.on('message', async (m) => {
    if (answersCpu(m)) return;
    if (m === 'rows') {
      await proxy.flushUsage();
      const [r] = await orm.em
        .getConnection()
        .execute('select count(*)::int as n from model_usage');
      port.postMessage({ rows: Number(r?.n) });
      return;
    }
    await app.stop();
    await proxy.stop();
    authenticator.stop();
    await listener.stop();
    await orm.close();
    process.exit(0);
  });
}

async function seedRuntime(
  orm: Awaited<ReturnType<typeof initOrm>>,
  upstreamUrl: string,
): Promise<string> {
  const run = async (sql: string, params: unknown[] = []) =>
    (await orm.em.getConnection().execute(sql, params)) as Record<string, string>[] as [
      Record<string, string>,
    ];
  const [user] = await run(
    `insert into users (id, username, username_key, role, status, must_change_password, created_at, updated_at)
     values (gen_random_uuid(), 'bench', 'bench', 'user', 'active', false, now(), now()) returning id`,
  );
  const [route] = await run(
    `insert into model_routes (id, name, upstream_kind, base_url, upstream_model, enabled, visible, is_default, created_at, updated_at)
     values (gen_random_uuid(), 'bench-model', 'openai-compatible', ?, 'fake-model', true, true, true, now(), now()) returning id`,
    [upstreamUrl],
  );
  const { CredentialCipher } = await import('../../server/src/model-proxy/credential-cipher.ts');
  const ct = CredentialCipher.fromSecrets(SECRET).encrypt('sk-bench-upstream', String(route.id));
  await run('update model_routes set credential_ciphertext = ? where id = ?', [
    ct,
    String(route.id),
  ]);
  await run(
    `insert into model_grants (id, route_id, user_id, created_at) values (gen_random_uuid(), ?, null, now())`,
    [String(route.id)],
  );
  const [rt] = await run(
    `insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy, profile, runtime_version,
                           restart_nonce, spec_updated_at, phase, conditions, observed_generation)
     values (gen_random_uuid(), ?, now(), 'running', 1, 'preserve', 'default', '', 0, now(), 'Running', '[]', 1) returning id`,
    [user.id],
  );
  const key = deriveModelKey(SECRET, String(rt.id), 1);
  await run(
    'insert into runtime_credentials (runtime_id, epoch, key_hash, updated_at) values (?, 1, ?, now())',
    [String(rt.id), modelKeyHash(key)],
  );
  return key;
}
