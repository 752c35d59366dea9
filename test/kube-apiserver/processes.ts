/**
 * Child processes of one harness run (etcd, apiserver, controller-manager). Each run directory
 * records the owner's pid and its children's pids, so a run killed before its teardown (timeout,
 * Ctrl-C) is reaped by the next one, as test/support/postgres-cluster.ts does for PostgreSQL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'clawloops-kube-';
const OWNER_FILE = 'owner.pid';
const CHILDREN_FILE = 'children.pid';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills the children of every run directory whose owner process is gone, then removes it. */
export function reapOrphanedRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    try {
      const owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
      if (isAlive(owner)) continue;
      for (const line of readFileSync(join(dir, CHILDREN_FILE), 'utf8').split('\n')) {
        const pid = Number(line);
        if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or still being created: leave it
    }
  }
}

export class RunDir {
  readonly path: string;
  private readonly children: ChildProcess[] = [];

  constructor() {
    this.path = mkdtempSync(join(tmpdir(), PREFIX));
    writeFileSync(join(this.path, OWNER_FILE), String(process.pid));
    writeFileSync(join(this.path, CHILDREN_FILE), '');
  }

  /** Starts `bin`, logging to `<dir>/<name>.log`; its pid is recorded before anything else runs. */
  spawn(name: string, bin: string, args: string[]): ChildProcess {
    const log = openSync(join(this.path, `${name}.log`), 'a');
    const child = spawn(bin, args, { stdio: ['ignore', log, log] });
    if (child.pid) appendFileSync(join(this.path, CHILDREN_FILE), `${child.pid}\n`);
    this.children.push(child);
    return child;
  }

  log(name: string): string {
    try {
      return readFileSync(join(this.path, `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  /** SIGTERM in reverse start order, SIGKILL after `graceMs`; then removes the directory. */
  async stop(graceMs = 3_000): Promise<void> {
    for (const child of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.path, { recursive: true, force: true });
  }
}
