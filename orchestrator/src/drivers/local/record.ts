import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runtimesDir } from './paths.ts';

/**
 * What the driver keeps per runtime in `runtimes/<id>/runtime.json`: enough to re-adopt the process
 * after an orchestrator restart and to give the runtime its port again. Never secrets: those live
 * only in the child's environment.
 */
export interface RuntimeRecord {
  runtimeId: string;
  ownerId: string;
  port: number;
  templateHash: string;
  openclawVersion: string;
  /** Present while a gateway process is believed to run. */
  process?: {
    pid: number;
    /** `/proc/<pid>/stat` field 22, to detect pid reuse. */
    startTime: string;
    startedAt: string;
  };
}

/** Parse and validate a record; `undefined` for anything malformed (a torn or foreign file). */
export function parseRecord(text: string): RuntimeRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const { runtimeId, ownerId, port, templateHash, openclawVersion } = value;
  if (typeof runtimeId !== 'string' || typeof ownerId !== 'string') return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65_535)
    return undefined;
  if (typeof templateHash !== 'string' || typeof openclawVersion !== 'string') return undefined;
  const record: RuntimeRecord = { runtimeId, ownerId, port, templateHash, openclawVersion };
  const proc = value.process;
  if (isObject(proc)) {
    const { pid, startTime, startedAt } = proc;
    if (
      typeof pid === 'number' &&
      Number.isInteger(pid) &&
      pid > 1 &&
      typeof startTime === 'string' &&
      typeof startedAt === 'string'
    ) {
      record.process = { pid, startTime, startedAt };
    }
  }
  return record;
}

export function readRecord(path: string): RuntimeRecord | undefined {
  try {
    return parseRecord(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Atomic write (tmp + rename) so a crash never leaves a torn record. Synchronous on purpose: it runs
 * right after spawn, and the window in which a child exists unrecorded must be as short as possible.
 */
export function writeRecord(path: string, record: RuntimeRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Runtime ids that have a bookkeeping directory. */
export async function listRuntimeIds(dataDir: string): Promise<string[]> {
  try {
    const entries = await readdir(runtimesDir(dataDir), { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
