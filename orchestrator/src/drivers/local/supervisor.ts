import type { ObservedRuntime, RuntimeTarget, WorkloadState } from '../driver.ts';
import { classifyExit, readLogTail, restartBackoffMs } from './exit.ts';
import type { Installer } from './install.ts';
import type { ResolvedOptions } from './options.ts';
import { ownerPaths, type RuntimePaths, runtimePaths } from './paths.ts';
import { probeStartup } from './probe.ts';
import {
  isProcessAlive,
  killGroupRemnants,
  readProcStat,
  signalProcess,
  terminateProcess,
} from './proc.ts';
import { type RuntimeRecord, writeRecord } from './record.ts';
import { spawnGateway } from './spawn-gateway.ts';

/**
 * One runtime's gateway process: install → spawn → probe → (crash → backoff → respawn). All state
 * lives in memory and is published through `observe()`; every async continuation carries the epoch
 * it started in and gives up once `stop()`/`detach()` moved the epoch on, so a stopped supervisor
 * never resurrects its process.
 */
export interface SupervisorDeps {
  options: ResolvedOptions;
  installer: Installer;
  /** Claim a free pool port for this runtime (`undefined` = pool exhausted). */
  allocatePort(runtimeId: string, preferred?: number): Promise<number | undefined>;
  releasePort(runtimeId: string): void;
  notify(runtimeId: string): void;
}

/** Failures that may clear up by themselves, so a repeated `ensureRunning` retries them. */
const TRANSIENT_FAILURES = new Set(['InstallFailed', 'PortsExhausted', 'SpawnFailed']);
/** Consecutive failed probes of a ready gateway before it is reported unresponsive. */
const UNRESPONSIVE_AFTER = 3;
/** Ready this long ⇒ the crash backoff starts again at 1 s. */
const STABLE_AFTER_MS = 60_000;

interface Proc {
  pid: number;
  startTime: string;
  startedAt: string;
}

export class RuntimeSupervisor {
  readonly runtimeId: string;
  readonly ownerId: string;
  readonly templateHash: string;
  readonly openclawVersion: string;
  private target: RuntimeTarget | undefined;
  private readonly deps: SupervisorDeps;
  private readonly paths: RuntimePaths;
  private observed: ObservedRuntime = { state: 'absent', restarts: 0 };
  private proc: Proc | undefined;
  private port: number | undefined;
  private epoch = 0;
  private timers = new Set<NodeJS.Timeout>();
  private phaseStartedAt = 0;
  private probeFailures = 0;
  private consecutiveCrashes = 0;
  private crashPending = false;

  constructor(
    deps: SupervisorDeps,
    record: Omit<RuntimeRecord, 'process'>,
    target?: RuntimeTarget,
  ) {
    this.deps = deps;
    this.runtimeId = record.runtimeId;
    this.ownerId = record.ownerId;
    this.templateHash = record.templateHash;
    this.openclawVersion = record.openclawVersion;
    this.port = record.port > 0 ? record.port : undefined;
    this.target = target;
    this.paths = runtimePaths(deps.options.dataDir, record.runtimeId);
  }

  observe(): ObservedRuntime {
    return { ...this.observed };
  }

  /** Failed for a reason a retry may fix (the controller asks again ⇒ start over). */
  isTransientlyFailed(): boolean {
    return this.observed.state === 'failed' && TRANSIENT_FAILURES.has(this.observed.reason ?? '');
  }

  /** Fresh workload: install if needed, then spawn. */
  start(): void {
    this.update('preparing', {
      reason: 'Installing',
      progress: 0,
      message: `Preparing OpenClaw ${this.openclawVersion}`,
    });
    void this.launch(this.epoch);
  }

  /** Take over a live process recorded by a previous orchestrator. */
  adopt(pid: number, startTime: string, startedAt: string, port: number): void {
    this.proc = { pid, startTime, startedAt };
    this.port = port;
    this.enterStarting(this.epoch, 'Adopted', `Re-adopted gateway (pid ${pid})`);
    const epoch = this.epoch;
    this.every(epoch, 1000, () => {
      if (this.proc?.pid === pid && !isProcessAlive(pid, startTime))
        void this.onExit(epoch, null, null);
    });
  }

  /** The controller re-sent the target (same templateHash): keep it for restarts of adopted processes. */
  provideTarget(target: RuntimeTarget): void {
    this.target = target;
    if (this.crashPending) this.scheduleRestart(this.epoch);
  }

  /** Stop the process (SIGTERM, then SIGKILL) and wait for it to be gone. */
  async stop(): Promise<void> {
    const epoch = this.detach();
    const proc = this.proc;
    if (proc && isProcessAlive(proc.pid, proc.startTime)) {
      this.update('terminating', { reason: 'Stopping', message: 'Stopping gateway' });
      await terminateProcess(proc.pid, proc.startTime, this.deps.options.stopTimeoutMs);
    } else if (proc) {
      killGroupRemnants(proc.pid);
    }
    if (epoch !== this.epoch) return;
    this.proc = undefined;
    this.persist();
    this.deps.releasePort(this.runtimeId);
    this.update('absent', {});
  }

  /** Stop watching without touching the process (driver shutdown). Returns the new epoch. */
  detach(): number {
    this.epoch++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.crashPending = false;
    return this.epoch;
  }

  private async launch(epoch: number): Promise<void> {
    const target = this.target;
    if (!target) return;
    let packageDir: string;
    try {
      packageDir = await this.deps.installer.ensure(this.openclawVersion, (p) => {
        if (epoch === this.epoch) this.update('preparing', { reason: 'Installing', ...p });
      });
    } catch (error) {
      if (epoch === this.epoch)
        this.update('failed', { reason: 'InstallFailed', message: (error as Error).message });
      return;
    }
    if (epoch !== this.epoch) return;
    const port = await this.deps.allocatePort(this.runtimeId, this.port);
    if (epoch !== this.epoch) return;
    if (port === undefined) {
      this.update('failed', {
        reason: 'PortsExhausted',
        message: 'No free port in the local runtime pool',
      });
      return;
    }
    this.port = port;
    const owner = ownerPaths(this.deps.options.dataDir, this.ownerId);
    const { nodeBinary, identityHeader, trustedProxies } = this.deps.options;
    let child: ReturnType<typeof spawnGateway>;
    try {
      child = spawnGateway({
        target,
        port,
        packageDir,
        nodeBinary,
        owner,
        runtime: this.paths,
        identityHeader,
        trustedProxies,
      });
    } catch (error) {
      this.update('failed', { reason: 'SpawnFailed', message: (error as Error).message });
      return;
    }
    const pid = child.pid;
    child.on('error', (error) => {
      if (epoch === this.epoch && !pid)
        this.update('failed', { reason: 'SpawnFailed', message: error.message });
    });
    if (!pid) return;
    this.proc = {
      pid,
      startTime: readProcStat(pid)?.startTime ?? '',
      startedAt: new Date().toISOString(),
    };
    this.persist();
    child.on('exit', (code, signal) => void this.onExit(epoch, code, signal));
    this.deps.options.logger.info({ runtimeId: this.runtimeId, pid, port }, 'gateway spawned');
    this.enterStarting(epoch, 'Starting', `Gateway starting on port ${port}`);
  }

  private enterStarting(epoch: number, reason: string, message: string): void {
    this.phaseStartedAt = Date.now();
    this.probeFailures = 0;
    this.update('starting', { reason, message, progress: 50, endpoint: this.endpoint() });
    this.schedule(epoch, this.deps.options.startingProbeIntervalMs, () => this.probe(epoch));
  }

  private async probe(epoch: number): Promise<void> {
    if (epoch !== this.epoch || !this.proc || this.port === undefined) return;
    const { startingProbeIntervalMs, readyProbeIntervalMs, startTimeoutMs } = this.deps.options;
    const result = await probeStartup(this.port);
    if (epoch !== this.epoch || !this.proc) return;
    const { state, reason } = this.observed;
    if (result === 'ready') {
      this.probeFailures = 0;
      if (state !== 'ready') {
        this.phaseStartedAt = Date.now();
        this.update('ready', {
          reason: 'Ready',
          endpoint: this.endpoint(),
          message: `Gateway ready on port ${this.port}`,
        });
      } else if (Date.now() - this.phaseStartedAt > STABLE_AFTER_MS) {
        this.consecutiveCrashes = 0;
      }
      this.schedule(epoch, readyProbeIntervalMs, () => this.probe(epoch));
      return;
    }
    if (state === 'ready') {
      if (++this.probeFailures >= UNRESPONSIVE_AFTER) {
        this.phaseStartedAt = Date.now();
        this.update('starting', {
          reason: 'Unresponsive',
          endpoint: this.endpoint(),
          message: 'Gateway stopped answering /startupz',
        });
      }
    } else if (Date.now() - this.phaseStartedAt > startTimeoutMs) {
      // A gateway that was up once (hung, or adopted) may recover by a restart; a fresh one failed.
      await this.giveUpStarting(reason !== 'Starting');
      return;
    }
    this.schedule(epoch, startingProbeIntervalMs, () => this.probe(epoch));
  }

  /** Never ready in time: kill it. A hung gateway counts as a crash (restart); one that never started fails. */
  private async giveUpStarting(wasUp: boolean): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    if (wasUp) {
      signalProcess(-proc.pid, 'SIGKILL');
      return; // the exit watcher reports the crash and restarts it
    }
    this.detach();
    const tail = await readLogTail(this.paths.consoleLog, 5);
    const seconds = Math.round(this.deps.options.startTimeoutMs / 1000);
    this.update('failed', {
      reason: 'StartTimeout',
      message: [`Gateway not ready after ${seconds} s`, ...tail].join('\n'),
    });
    await terminateProcess(proc.pid, proc.startTime, this.deps.options.stopTimeoutMs);
    if (this.proc === proc) this.proc = undefined;
    this.persist();
    this.deps.releasePort(this.runtimeId);
  }

  private async onExit(
    epoch: number,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): Promise<void> {
    if (epoch !== this.epoch || !this.proc) return;
    const { pid } = this.proc;
    this.proc = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    killGroupRemnants(pid);
    this.persist();
    const verdict = classifyExit(code, signal, await readLogTail(this.paths.consoleLog, 20));
    if (epoch !== this.epoch) return;
    this.deps.options.logger.warn(
      { runtimeId: this.runtimeId, pid, code, signal, reason: verdict.reason },
      'gateway exited',
    );
    if (verdict.kind === 'failed') {
      this.deps.releasePort(this.runtimeId);
      this.update('failed', { reason: verdict.reason, message: verdict.message });
      return;
    }
    this.consecutiveCrashes++;
    this.observed.restarts++;
    this.update('crashed', { reason: verdict.reason, message: verdict.message });
    this.crashPending = true;
    if (this.target) this.scheduleRestart(epoch);
  }

  private scheduleRestart(epoch: number): void {
    const delay = restartBackoffMs(this.consecutiveCrashes, this.deps.options.maxRestartBackoffMs);
    this.schedule(epoch, delay, () => {
      this.crashPending = false;
      void this.launch(epoch);
    });
  }

  private persist(): void {
    if (this.port === undefined) return;
    const proc = this.proc;
    writeRecord(this.paths.record, {
      runtimeId: this.runtimeId,
      ownerId: this.ownerId,
      port: this.port,
      templateHash: this.templateHash,
      openclawVersion: this.openclawVersion,
      ...(proc
        ? { process: { pid: proc.pid, startTime: proc.startTime, startedAt: proc.startedAt } }
        : {}),
    });
  }

  private endpoint(): string | undefined {
    return this.port === undefined ? undefined : `http://127.0.0.1:${this.port}`;
  }

  private update(state: WorkloadState, fields: Omit<ObservedRuntime, 'state' | 'restarts'>): void {
    const prev = this.observed;
    const next: ObservedRuntime = {
      state,
      restarts: prev.restarts,
      ...(state === 'absent' ? {} : { templateHash: this.templateHash }),
      ...fields,
      since: state === prev.state && prev.since ? prev.since : this.deps.options.now(),
    };
    const changed = (['state', 'reason', 'message', 'progress', 'endpoint'] as const).some(
      (k) => prev[k] !== next[k],
    );
    this.observed = next;
    if (changed) this.deps.notify(this.runtimeId);
  }

  private schedule(epoch: number, ms: number, fn: () => void | Promise<void>): void {
    if (epoch !== this.epoch) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (epoch === this.epoch) void fn();
    }, ms);
    this.timers.add(timer);
  }

  private every(epoch: number, ms: number, fn: () => void): void {
    this.schedule(epoch, ms, () => {
      fn();
      this.every(epoch, ms, fn);
    });
  }
}
