// Worker thread for forward-auth.bench.ts: the server under test gets its own event loop, so the
// load generator in the main thread does not steal its CPU time. Modes: `hello` (bare node:http) and
// `forward-auth` (the real server: authenticator, routing cache, /auth/forward).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { initOrm } from '../../schema/orm-config.ts';
import { buildApp } from '../../server/src/app.ts';
import { createAuthenticator } from '../../server/src/auth/authenticator.ts';
import { parseConfig } from '../../server/src/config.ts';
import { PgListener } from '../../server/src/db/pg-listener.ts';
import { createEntrance } from '../../server/src/edge/entrance.ts';
import { RuntimeEventHub } from '../../server/src/events/runtime-event-hub.ts';
import { createLogger } from '../../server/src/logger.ts';
import { seed } from '../testkit/seed.ts';
import type { TestServer } from '../testkit/server.ts';

const data = workerData as { mode: 'hello' | 'forward-auth'; databaseUrl?: string };
const port = parentPort;
if (!port) throw new Error('run as a worker');

/** Every SQL statement this thread sends, whichever copy of `pg` sends it. */
let sqlCount = 0;
const require = createRequire(import.meta.url);
const mikroPg = require(
  require.resolve('pg', { paths: [require.resolve('@mikro-orm/postgresql')] }),
);
for (const lib of new Set([pg, mikroPg])) {
  const original = lib.Client.prototype.query;
  lib.Client.prototype.query = function (...args: unknown[]) {
    sqlCount++;
    return original.apply(this, args);
  };
}

if (data.mode === 'hello') {
  const server = createServer((_req, res) => res.end('hello'));
  server.listen(0, '127.0.0.1', () => {
    port.postMessage({ port: (server.address() as AddressInfo).port });
  });
  port.on('message', (m) => m === 'stop' && server.close(() => process.exit(0)));
} else {
  await startForwardAuth(data.databaseUrl as string);
}

async function startForwardAuth(databaseUrl: string) {
  const secret = 'bench-secret-bench-secret-bench-secret-0123';
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:8080',
  });
  const logger = createLogger('silent', false);
  const orm = await initOrm({ clientUrl: databaseUrl, poolMax: 4 });
  const listener = new PgListener(databaseUrl, logger);
  await listener.start();
  const hub = new RuntimeEventHub(orm.em, logger);
  await hub.start(listener);
  const authenticator = createAuthenticator({ orm, config, secret, listener, logger });
  const deps = { orm, config, logger, secret, authenticator, hub };
  const entrance = createEntrance(deps, listener);
  const app = buildApp(deps, { routes: entrance.routes });
  const listening = await app.start(0, '127.0.0.1');

  const users = seed({ deps } as unknown as TestServer);
  const alice = await users.createUser({ username: 'alice' });
  const cookie = await users.loginAs(alice);
  await orm.em.getConnection().execute(
    `insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy, profile,
       runtime_version, restart_nonce, spec_updated_at, phase, conditions, observed_generation, endpoint)
     values (gen_random_uuid(), ?, now(), 'running', 1, 'preserve', 'default', '', 0, now(), 'Running', '[]', 1,
       'http://127.0.0.1:1')`,
    [alice.id],
  );
  port?.postMessage({ port: listening, cookie });
  port?.on('message', async (m) => {
    if (m === 'counts') port?.postMessage({ sql: sqlCount, counters: entrance.counters });
    if (m === 'stop') {
      entrance.stop();
      await app.stop();
      authenticator.stop();
      await listener.stop();
      await orm.close();
      process.exit(0);
    }
  });
}
