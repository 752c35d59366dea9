import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DriverLogger } from './options.ts';
import { isProcessAlive } from './proc.ts';

/**
 * On-demand OpenClaw installs, one directory per version: `<cacheDir>/<version>/node_modules/openclaw`.
 *
 * npm writes into a private staging directory which is renamed into place only after it succeeded,
 * and the `.clawloops-complete` marker is checked before use, so a half-finished install is never
 * run. A `<version>.lock` file (holding the installer's pid) keeps concurrent installers of one
 * version, in this process or another, from clashing; a lock whose pid is dead is taken over.
 */

export interface InstallProgress {
  /** 0–100, estimated from elapsed time (npm reports nothing finer). */
  progress: number;
  message: string;
}

export interface Installer {
  /** Resolves to the installed `openclaw` package directory. */
  ensure(version: string, onProgress: (p: InstallProgress) => void): Promise<string>;
  /** Kill in-flight npm processes (driver shutdown). */
  abort(): void;
}

export interface InstallerOptions {
  cacheDir: string;
  nodeBinary: string;
  npmBinary: string;
  logger: DriverLogger;
  /** Kill npm after this long. @default 600000 */
  timeoutMs?: number;
}

const MARKER = '.clawloops-complete';
/** Typical duration on a 2-core machine; only shapes the progress estimate. */
const EXPECTED_INSTALL_MS = 20_000;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/;

export function packageDir(cacheDir: string, version: string): string {
  return join(cacheDir, version, 'node_modules', 'openclaw');
}

export function isInstalled(cacheDir: string, version: string): boolean {
  return (
    existsSync(join(cacheDir, version, MARKER)) &&
    existsSync(join(packageDir(cacheDir, version), 'openclaw.mjs'))
  );
}

/** Progress while npm runs: 5 → 95, approaching 95 asymptotically past the expected duration. */
export function estimateProgress(elapsedMs: number): number {
  const fraction = 1 - Math.exp(-elapsedMs / EXPECTED_INSTALL_MS);
  return Math.min(95, Math.round(5 + 90 * fraction));
}

export function createInstaller(options: InstallerOptions): Installer {
  const inFlight = new Map<
    string,
    { promise: Promise<string>; listeners: Set<(p: InstallProgress) => void> }
  >();
  const controller = new AbortController();

  return {
    ensure(version, onProgress) {
      if (!VERSION.test(version))
        return Promise.reject(new Error(`invalid OpenClaw version ${JSON.stringify(version)}`));
      if (isInstalled(options.cacheDir, version))
        return Promise.resolve(packageDir(options.cacheDir, version));
      let entry = inFlight.get(version);
      if (!entry) {
        const listeners = new Set<(p: InstallProgress) => void>();
        const report = (p: InstallProgress) => {
          for (const listener of listeners) listener(p);
        };
        const promise = installLocked(options, version, report, controller.signal).finally(() =>
          inFlight.delete(version),
        );
        entry = { promise, listeners };
        inFlight.set(version, entry);
      }
      entry.listeners.add(onProgress);
      return entry.promise;
    },
    abort: () => controller.abort(),
  };
}

async function installLocked(
  options: InstallerOptions,
  version: string,
  report: (p: InstallProgress) => void,
  signal: AbortSignal,
): Promise<string> {
  const { cacheDir } = options;
  await mkdir(cacheDir, { recursive: true });
  const lockPath = join(cacheDir, `${version}.lock`);
  for (;;) {
    signal.throwIfAborted();
    if (isInstalled(cacheDir, version)) return packageDir(cacheDir, version);
    if (await tryLock(lockPath)) break;
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    const age = Date.now() - ((await stat(lockPath).catch(() => undefined))?.mtimeMs ?? Date.now());
    // Dead holder, or older than any install may take (the pid may have been reused).
    if (
      (Number.isInteger(holder) && holder > 0 && !isProcessAlive(holder)) ||
      age > timeoutMs(options)
    ) {
      options.logger.warn({ version, holder }, 'taking over stale OpenClaw install lock');
      await rm(lockPath, { force: true });
      continue;
    }
    report({ progress: 5, message: `Waiting for another installation of OpenClaw ${version}` });
    await sleep(500, undefined, { signal });
  }
  try {
    if (isInstalled(cacheDir, version)) return packageDir(cacheDir, version);
    await runNpmInstall(options, version, report, signal);
    return packageDir(cacheDir, version);
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function tryLock(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function runNpmInstall(
  options: InstallerOptions,
  version: string,
  report: (p: InstallProgress) => void,
  signal: AbortSignal,
): Promise<void> {
  const { cacheDir, logger } = options;
  const staging = join(cacheDir, `.staging-${version}-${randomBytes(4).toString('hex')}`);
  const finalDir = join(cacheDir, version);
  await mkdir(staging, { recursive: true });
  // npm installs into the nearest package root; give it one so it never walks up.
  await writeFile(join(staging, 'package.json'), '{"private":true}\n');
  const started = Date.now();
  report({ progress: 5, message: `Installing OpenClaw ${version}` });
  logger.info({ version, cacheDir }, 'installing OpenClaw');
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    report({
      progress: estimateProgress(Date.now() - started),
      message: `Installing OpenClaw ${version} (${seconds} s)`,
    });
  }, 1000);
  try {
    const args = [
      'install',
      `openclaw@${version}`,
      '--no-audit',
      '--no-fund',
      '--omit=dev',
      '--no-update-notifier',
    ];
    await runCommand(options, args, staging, signal);
    if (!existsSync(join(staging, 'node_modules', 'openclaw', 'openclaw.mjs'))) {
      throw new Error(`npm finished but node_modules/openclaw/openclaw.mjs is missing`);
    }
    await writeFile(join(staging, MARKER), `${new Date().toISOString()}\n`);
    // A leftover final dir without the marker is a broken install from an older layout: replace it.
    await rm(finalDir, { recursive: true, force: true });
    await rename(staging, finalDir);
    logger.info({ version, ms: Date.now() - started }, 'installed OpenClaw');
    report({ progress: 100, message: `Installed OpenClaw ${version}` });
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw error;
  } finally {
    clearInterval(ticker);
  }
}

const timeoutMs = (options: InstallerOptions) => options.timeoutMs ?? 600_000;

function runCommand(
  options: InstallerOptions,
  args: string[],
  cwd: string,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // OpenClaw's install script checks `node --version`: it must find the Node that will run it.
    const PATH = [dirname(options.nodeBinary), process.env.PATH ?? ''].join(delimiter);
    const child = spawn(options.npmBinary, args, {
      cwd,
      env: { ...process.env, PATH, npm_config_loglevel: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
      timeout: timeoutMs(options),
      killSignal: 'SIGKILL',
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) =>
      reject(new Error(`cannot run ${options.npmBinary}: ${error.message}`)),
    );
    child.on('close', (code, sig) => {
      if (code === 0) return resolve();
      const lines = output
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const detail =
        lines
          .filter((l) => /error/i.test(l))
          .slice(-3)
          .join(' | ') || lines.slice(-3).join(' | ');
      reject(new Error(`npm install openclaw failed (${sig ?? `exit ${code}`}): ${detail}`));
    });
  });
}
