import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { gatewayBaseEnv } from '../../render/gateway-env.ts';
import { MODEL_KEY_ENV, renderRuntimeConfig } from '../../render/openclaw-config.ts';
import type { RuntimeTarget } from '../driver.ts';
import type { OwnerPaths, RuntimePaths } from './paths.ts';
import { readProcStat } from './proc.ts';

export interface GatewayLaunch {
  target: RuntimeTarget;
  port: number;
  packageDir: string;
  /** Where OpenClaw versions are installed; also holds their shared V8 compile cache. */
  openclawCacheDir: string;
  nodeBinary: string;
  owner: OwnerPaths;
  runtime: RuntimePaths;
  identityHeader: string;
  trustedProxies: string[];
}

/** Rotate the console log past this size so restarts don't grow it forever. */
const MAX_CONSOLE_LOG_BYTES = 10 * 1024 * 1024;

/** The gateway's `openclaw.json`: loopback only, the embedded entrance as the trusted proxy. */
export function renderLocalConfig(launch: GatewayLaunch): Record<string, unknown> {
  return renderRuntimeConfig(launch.target, {
    port: launch.port,
    bind: 'loopback',
    identityHeader: launch.identityHeader,
    trustedProxies: launch.trustedProxies,
    // The embedded entrance runs on this host and reaches the gateway over loopback.
    allowLoopbackProxy: true,
    logFile: launch.runtime.openclawLog,
  });
}

/**
 * The child's complete environment. Nothing is inherited from the orchestrator (its own secrets,
 * DATABASE_URL…) except PATH and LANG; secrets for the gateway travel only here, never in files.
 */
export function gatewayEnv(launch: GatewayLaunch): Record<string, string> {
  const { target, owner } = launch;
  return {
    ...gatewayBaseEnv(target.profile),
    // Anything the gateway spawns (`npm root -g` at startup, agents' `node`) gets the same Node.
    PATH: [dirname(launch.nodeBinary), process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(
      delimiter,
    ),
    LANG: process.env.LANG ?? 'C.UTF-8',
    HOME: owner.home,
    OPENCLAW_HOME: owner.home,
    OPENCLAW_STATE_DIR: owner.state,
    OPENCLAW_CONFIG_PATH: owner.config,
    TMPDIR: owner.tmp,
    OPENCLAW_GATEWAY_PASSWORD: target.gatewayPassword,
    ...(target.model ? { [MODEL_KEY_ENV]: target.model.apiKey } : {}),
  };
}

export interface SpawnedGateway {
  child: ChildProcess;
  pid: number;
  /** `/proc/<pid>/stat` start time, recorded to recognise the process after a restart. */
  startTime: string;
  startedAt: string;
}

/**
 * Write the config and start the gateway detached (its own process group, output to a file), so it
 * outlives an orchestrator restart and can be adopted. Throws if no process could be created.
 */
export function spawnGateway(launch: GatewayLaunch): SpawnedGateway {
  const { owner, runtime } = launch;
  for (const dir of [owner.home, owner.state, owner.tmp, runtime.root]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  shareCompileCache(owner.tmp, join(launch.openclawCacheDir, 'node-compile-cache'));
  const config = renderLocalConfig(launch);
  writeFileSync(owner.config, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  rotateIfLarge(runtime.consoleLog);
  const fd = openSync(runtime.consoleLog, 'a', 0o600);
  let child: ChildProcess;
  try {
    const entry = join(launch.packageDir, 'openclaw.mjs');
    child = spawn(launch.nodeBinary, [entry, 'gateway', 'run', '--port', String(launch.port)], {
      cwd: owner.home,
      env: gatewayEnv(launch),
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  if (!child.pid)
    throw new Error(`cannot start ${launch.nodeBinary}: ${spawnError?.message ?? 'spawn failed'}`);
  // Don't keep the orchestrator alive for it: it is meant to outlive us.
  child.unref();
  const startTime = readProcStat(child.pid)?.startTime ?? '';
  return { child, pid: child.pid, startTime, startedAt: new Date().toISOString() };
}

/**
 * OpenClaw keeps its V8 compile cache in `$TMPDIR/node-compile-cache/openclaw/<version>/…`. With a
 * TMPDIR per owner every fresh runtime would compile OpenClaw from scratch (about 2 s of a ~8 s
 * start here), so that one entry of the owner's TMPDIR points at a cache shared by all runtimes.
 * Not via NODE_COMPILE_CACHE: OpenClaw re-spawns itself when that differs from its own layout,
 * and the pid we supervise would then be a relay. Sharing is no new exposure: local gateways all
 * run as the orchestrator's OS user (the local driver is not a boundary between hostile tenants).
 */
export function shareCompileCache(tmpDir: string, sharedDir: string): void {
  const link = join(tmpDir, 'node-compile-cache');
  mkdirSync(sharedDir, { recursive: true, mode: 0o700 });
  try {
    if (readlinkSync(link) === sharedDir) return;
  } catch {
    // Absent, or a real directory from an older layout: replaced below.
  }
  rmSync(link, { recursive: true, force: true });
  symlinkSync(sharedDir, link);
}

function rotateIfLarge(path: string): void {
  try {
    if (statSync(path).size > MAX_CONSOLE_LOG_BYTES) renameSync(path, `${path}.1`);
  } catch {
    // No log yet.
  }
}
