import { readFileSync } from 'node:fs';

/**
 * Process identity from `/proc/<pid>/stat`. A pid alone is not an identity: after a reboot or a long
 * time it can belong to another program. The start time (field 22, clock ticks since boot) pins it.
 */
export interface ProcStat {
  /** Field 3: R, S, D, Z (zombie), T, … */
  state: string;
  /** Field 22: start time in clock ticks after boot. */
  startTime: string;
}

/** Parse the stat line. `comm` (field 2) may contain spaces and parentheses, so split after the last `)`. */
export function parseProcStat(line: string): ProcStat | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3, so field N is rest[N - 3].
  const state = rest[0];
  const startTime = rest[19];
  if (!state || !startTime || !/^\d+$/.test(startTime)) return undefined;
  return { state, startTime };
}

export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Is `pid` running (and, when given, still the process that started at `startTime`)? A zombie counts
 * as dead: an adopted gateway's new parent may be a PID 1 that never reaps.
 */
export function isProcessAlive(pid: number, startTime?: string): boolean {
  const stat = readProcStat(pid);
  if (stat) return stat.state !== 'Z' && (startTime === undefined || stat.startTime === startTime);
  // No /proc (not Linux): fall back to signal 0, which cannot see zombies or pid reuse.
  if (startTime !== undefined && process.platform === 'linux') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signal a process, ignoring "already gone". */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Poll until the process is gone (exited, reaped or zombie) or `timeoutMs` passes. */
export async function waitForExit(
  pid: number,
  startTime: string,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid, startTime)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/**
 * SIGTERM the gateway (it drains and stops its helpers), SIGKILL its whole process group after
 * `stopTimeoutMs`, then sweep the group for helpers left behind. The group id is the gateway's pid
 * (spawned detached) and cannot be reused while any member lives.
 */
export async function terminateProcess(
  pid: number,
  startTime: string,
  stopTimeoutMs: number,
): Promise<void> {
  if (isProcessAlive(pid, startTime)) {
    signalProcess(pid, 'SIGTERM');
    if (!(await waitForExit(pid, startTime, stopTimeoutMs))) {
      signalProcess(-pid, 'SIGKILL');
      await waitForExit(pid, startTime, 5000);
    }
  }
  killGroupRemnants(pid);
}

export function killGroupRemnants(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left in the group.
  }
}
