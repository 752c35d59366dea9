/**
 * Child process of runtimes-api.bench.ts: one real control-plane server (testkit `startTestServer` on
 * the given database), so the benchmark reads this process's RSS and nothing else's. It seeds the
 * admin session the load uses and answers `stats` / `reset` / `stop` over IPC. Every SQL statement
 * the server sends is counted (all of MikroORM's and the raw ones go through `connection.execute`).
 */
import { seed } from '../testkit/seed.ts';
import { startTestServer } from '../testkit/server.ts';

export type ServerCommand = { type: 'stats' } | { type: 'reset' } | { type: 'stop' };

export interface ServerStats {
  rssBytes: number;
  heapUsedBytes: number;
  subscribers: number;
  statements: number;
}

export interface ServerReady {
  type: 'ready';
  url: string;
  wsUrl: string;
  adminCookie: string;
}

const databaseUrl = process.argv[2];
if (!databaseUrl || !process.send)
  throw new Error('usage: fork(runtimes-api-server.ts, [databaseUrl])');
const send = process.send.bind(process);

const server = await startTestServer({ databaseUrl });
let statements = 0;
const conn = server.deps.orm.em.getConnection() as unknown as {
  execute: (...args: unknown[]) => Promise<unknown>;
};
const execute = conn.execute;
conn.execute = function (this: unknown, ...args: unknown[]) {
  statements++;
  return execute.apply(this, args);
};

const { createUser, loginAs } = seed(server);
const admin = await createUser({ role: 'admin' });
const ready: ServerReady = {
  type: 'ready',
  url: server.url,
  wsUrl: server.wsUrl,
  adminCookie: await loginAs(admin, { expiresAt: new Date(Date.now() + 3 * 3_600_000) }),
};
send(ready);

process.on('message', async (msg: ServerCommand) => {
  if (msg.type === 'reset') statements = 0;
  if (msg.type === 'stop') {
    await server.stop();
    process.exit(0);
  }
  const mem = process.memoryUsage();
  const stats: ServerStats = {
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    subscribers: server.deps.hub.subscriberCount,
    statements,
  };
  send({ type: 'stats', stats });
});
