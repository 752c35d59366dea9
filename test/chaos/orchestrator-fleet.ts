/**
 * Orchestrator replicas as real OS processes (`spawnOrchestrator`), each with its own data directory
 * and optionally its own Kubernetes endpoint (a tap proxy, to attribute requests to a replica). Reads
 * each replica's JSON log for the moment it was elected, so tests can measure hand-overs.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { spawnOrchestrator } from '../testkit/orchestrator-process.ts';

export interface Replica {
  readonly name: string;
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  /** When it logged that it runs (connected, competing for leadership). */
  startedAt?: number;
  /** When the replica first logged "elected leader" (its clock is ours: same host). */
  electedAt?: number;
  /** Every election, e.g. again after a database outage made it step down. */
  readonly elections: number[];
  /** Every time it logged "stepping down as leader". */
  readonly stepDowns: number[];
  killedAt?: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** Log lines that are warnings or worse (kept for failure messages). */
  readonly problems: string[];
}

export class OrchestratorFleet {
  readonly replicas: Replica[] = [];
  kills = 0;
  private readonly databaseUrl: string;
  private readonly dir: string;
  private readonly kubeConfig: (name: string) => KubeConfig;

  constructor(opts: {
    databaseUrl: string;
    dir: string;
    kubeConfig: (name: string) => KubeConfig;
  }) {
    this.databaseUrl = opts.databaseUrl;
    this.dir = opts.dir;
    this.kubeConfig = opts.kubeConfig;
    // A test worker that dies before its teardown must not leave orchestrators polling behind it.
    process.once('exit', () => {
      for (const r of this.alive()) r.child.kill('SIGKILL');
    });
  }

  /** Name of the replica the next `spawn()` starts. */
  get nextName(): string {
    return `orchestrator-${this.replicas.length + 1}`;
  }

  /** Starts a replica, on `kubeConfig` or the fleet's. */
  spawn(kubeConfig?: KubeConfig): Replica {
    const name = this.nextName;
    const dir = join(this.dir, name);
    mkdirSync(dir, { recursive: true });
    const child = spawnOrchestrator({
      databaseUrl: this.databaseUrl,
      dir,
      kubeConfig: kubeConfig ?? this.kubeConfig(name),
      // Several replicas on one host: each takes any free port for /metrics instead of 9464.
      env: { ORCHESTRATOR_METRICS_PORT: '0' },
    });
    const replica: Replica = {
      name,
      child,
      spawnedAt: Date.now(),
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
      elections: [],
      stepDowns: [],
      problems: [],
    };
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const entry = parseLogLine(line);
        if (entry?.msg?.startsWith('orchestrator started')) replica.startedAt = entry.time;
        if (entry?.msg === 'elected leader') {
          replica.electedAt ??= entry.time;
          replica.elections.push(entry.time);
        }
        if (entry?.msg === 'stepping down as leader') replica.stepDowns.push(entry.time);
        if ((entry?.level ?? 0) >= 40) replica.problems.push(line);
      });
    }
    this.replicas.push(replica);
    return replica;
  }

  alive(): Replica[] {
    return this.replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  }

  /** The live replica that was elected (undefined between a kill and the next election). */
  leader(): Replica | undefined {
    return this.alive().find((r) => r.electedAt !== undefined);
  }

  async kill(replica: Replica): Promise<void> {
    replica.killedAt = Date.now();
    replica.child.kill('SIGKILL');
    this.kills++;
    await replica.exited;
  }

  /** Graceful stop (SIGTERM), SIGKILL after 10 s. */
  async stop(replica: Replica): Promise<void> {
    if (!this.alive().includes(replica)) return;
    replica.child.kill('SIGTERM');
    const timer = setTimeout(() => replica.child.kill('SIGKILL'), 10_000);
    await replica.exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.alive().map((r) => this.stop(r)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function parseLogLine(line: string): { msg?: string; time: number; level?: number } | null {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
