import { join } from 'node:path';

/**
 * The local driver's on-disk layout, as far as anyone besides the driver may rely on it. The server
 * reads a runtime's console log straight from disk in the embedded/local mode (same machine, same
 * DATA_DIR) — a file path is the only channel between the two processes besides PostgreSQL, so the
 * rule lives here, where both import it.
 */

/** Where the local driver keeps everything, under the shared DATA_DIR. */
export function localDriverDir(dataDir: string): string {
  return join(dataDir, 'runtimes-local');
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Ids become directory names: refuse anything that could escape the data directory. */
export function assertSafeId(kind: string, id: string): void {
  if (!SAFE_ID.test(id))
    throw new Error(`unsafe ${kind} for a directory name: ${JSON.stringify(id)}`);
}

/** `<driverDir>/runtimes/<id>`: one runtime's bookkeeping (record, console log, OpenClaw's log). */
export function localRuntimeRoot(driverDir: string, runtimeId: string): string {
  assertSafeId('runtimeId', runtimeId);
  return join(driverDir, 'runtimes', runtimeId);
}

/** The gateway's stdout/stderr, appended across restarts of the same runtime. */
export function localConsoleLogPath(driverDir: string, runtimeId: string): string {
  return join(localRuntimeRoot(driverDir, runtimeId), 'console.log');
}
