import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

export interface TestCaddy {
  /** The port Caddy serves plain HTTP on. */
  port: number;
  /** Everything Caddy printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Is Debian's Caddy installed? (`apt-get install -y caddy`; `.ci/run` installs it.) */
export function caddyAvailable(): boolean {
  return spawnSync('caddy', ['version'], { stdio: 'ignore' }).status === 0;
}

/** A port free right now on all interfaces (the kernel picks it; we release it for the caller). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * Runs `caddy run` on a Caddyfile written to a fresh temp dir. `caddyfile` receives the port to
 * listen on; the global block (`admin off`, `auto_https off`) is added here. Caddy's state goes to
 * the temp dir (XDG_* variables), and it is stopped by its PID — never by name.
 */
export async function startCaddy(
  caddyfile: (port: number) => string,
  port?: number,
): Promise<TestCaddy> {
  const dir = mkdtempSync(join(tmpdir(), 'clawloops-caddy-'));
  const listenPort = port ?? (await freePort());
  const file = join(dir, 'Caddyfile');
  writeFileSync(file, `{\n\tadmin off\n\tauto_https off\n}\n\n${caddyfile(listenPort)}`);
  const env = { ...process.env, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir, HOME: dir };
  const child: ChildProcess = spawn('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b) => (out += b));
  child.stderr?.on('data', (b) => (out += b));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `caddy listening on ${listenPort}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`caddy exited: ${out}`);
        return canConnect(listenPort);
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return { port: listenPort, output: () => out, stop };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1');
  });
}
