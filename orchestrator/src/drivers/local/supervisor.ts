import type { ObservedRuntime, RuntimeTarget, WorkloadState } from '../driver.ts';
import { EpochTimers } from './epoch-timers.ts';
import { classifyExit, readLogTail, restartBackoffMs } from './exit.ts';
import { judgeProbe } from './health.ts';
import type { Installer } from './install.ts';
import { transition } from './observed.ts';
import type { ResolvedOptions } from './options.ts';
import { ownerPaths, type RuntimePaths, runtimePaths } from './paths.ts';
import { probeStartup } from './probe.ts';
import { isProcessAlive, killGroupRemnants, signalProcess, terminateProcess } from './proc.ts';
import { type RuntimeRecord, writeRecord } from './record.ts';
import { spawnGateway } from './spawn-gateway.ts';

/**
 * One runtime's gateway process: install → spawn → probe → (crash → backoff → respawn). State lives
 * in memory and is published through `observe()`. Every async step carries the epoch it began in
 * and gives up once `stop()`/`detach()` moved it on (see EpochTimers).
 */
export interface SupervisorDeps {
  options: ResolvedOptions;
  installer: Installer;
  /** Claim a free pool port for this runtime (`undefined` = pool exhausted). */
  allocatePort(runtimeId: string, preferred?: number): Promise<number | undefined>;
  /** Give the runtime's port back (only if it still holds `port`, when given). */
  releasePort(runtimeId: string, port?: number): void;
  notify(runtimeId: string): void;
}

/** Failures that may clear up by themselves, so a repeated `ensureRunning` retries them. */
const TRANSIENT_FAILURES = new Set(['InstallFailed', 'PortsExhausted', 'SpawnFailed']);
/** Ready this long ⇒ the crash backoff starts again at 1 s. */
const STABLE_AFTER_MS = 60_000;

type Fields = Parameters<typeof transition>[2];

export class RuntimeSupervisor {
  readonly runtimeId: string;
  readonly ownerId: string;
  readonly templateHash: string;
  readonly openclawVersion: string;
  private target: RuntimeTarget | undefined;
  private readonly deps: SupervisorDeps;
  private readonly paths: RuntimePaths;
  private readonly timers = new EpochTimers();
  private observed: ObservedRuntime = { state: 'absent', restarts: 0 };
  private proc: NonNullable<RuntimeRecord['process']> | undefined;
  private port: number | undefined;
  private phaseStartedAt = 0;
  private probeFailures = 0;
  private consecutiveCrashes = 0;
  /** Crashed while adopted, before the controller re-sent the target (secrets) needed to respawn. */
  private awaitingTarget = false;

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
    const message = `Preparing OpenClaw ${this.openclawVersion}`;
    this.update('preparing', { reason: 'Installing', progress: 0, message });
    void this.launch(this.timers.epoch);
  }

  /** Take over a live process recorded by a previous orchestrator; it is not our child, so poll it. */
  adopt(proc: NonNullable<RuntimeRecord['process']>, port: number): void {
    this.proc = proc;
    this.port = port;
    const epoch = this.timers.epoch;
    this.enterStarting(epoch, 'Adopted', `Re-adopted gateway (pid ${proc.pid})`);
    this.timers.every(epoch, 1000, () => {
      if (this.proc === proc && !isProcessAlive(proc.pid, proc.startTime)) {
        void this.onExit(epoch, null, null);
      }
    });
  }

  /** The controller re-sent the target (same templateHash); an adopted process needs it to respawn. */
  provideTarget(target: RuntimeTarget): void {
    this.target = target;
    if (this.awaitingTarget) {
      this.awaitingTarget = false;
      this.scheduleRestart(this.timers.epoch);
    }
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
    if (!this.timers.isCurrent(epoch)) return;
    this.proc = undefined;
    this.persist();
    this.deps.releasePort(this.runtimeId);
    this.update('absent', {});
  }

  /** Stop watching without touching the process (driver shutdown). Returns the new epoch. */
  detach(): number {
    this.awaitingTarget = false;
    return this.timers.advance();
  }

  private async launch(epoch: number): Promise<void> {
    const target = this.target;
    if (!target) return;
    const live = () => this.timers.isCurrent(epoch);
    let packageDir: string;
    try {
      packageDir = await this.deps.installer.ensure(this.openclawVersion, (p) => {
        if (live()) this.update('preparing', { reason: 'Installing', ...p });
      });
    } catch (error) {
      if (live())
        this.update('failed', { reason: 'InstallFailed', message: (error as Error).message });
      return;
    }
    if (!live()) return;
    const port = await this.deps.allocatePort(this.runtimeId, this.port);
    if (!live()) {
      if (port !== undefined) this.deps.releasePort(this.runtimeId, port);
      return;
    }
    if (port === undefined) {
      this.update('failed', {
        reason: 'PortsExhausted',
        message: 'No free port in the local runtime pool',
      });
      return;
    }
    this.port = port;
    const { options } = this.deps;
    const owner = ownerPaths(options.dataDir, this.ownerId);
    try {
      const launch = { ...options, target, port, packageDir, owner, runtime: this.paths };
      const { child, ...proc } = spawnGateway(launch);
      this.proc = proc;
      this.persist();
      child.on('exit', (code, signal) => void this.onExit(epoch, code, signal));
      options.logger.info({ runtimeId: this.runtimeId, pid: proc.pid, port }, 'gateway spawned');
    } catch (error) {
      this.deps.releasePort(this.runtimeId, port);
      this.update('failed', { reason: 'SpawnFailed', message: (error as Error).message });
      return;
    }
    this.enterStarting(epoch, 'Starting', `Gateway starting on port ${port}`);
  }

  private enterStarting(epoch: number, reason: string, message: string): void {
    this.phaseStartedAt = Date.now();
    this.probeFailures = 0;
    this.update('starting', { reason, message, progress: 50, endpoint: this.endpoint() });
    this.timers.schedule(epoch, this.deps.options.startingProbeIntervalMs, () => this.probe(epoch));
  }

  private async probe(epoch: number): Promise<void> {
    if (!this.proc || this.port === undefined) return;
    const { startingProbeIntervalMs, readyProbeIntervalMs, startTimeoutMs } = this.deps.options;
    const result = await probeStartup(this.port);
    if (!this.timers.isCurrent(epoch) || !this.proc) return;
    const { state, reason } = this.observed;
    const phaseElapsedMs = Date.now() - this.phaseStartedAt;
    const action = judgeProbe({
      result,
      state,
      reason,
      failures: this.probeFailures,
      phaseElapsedMs,
      startTimeoutMs,
    });
    this.probeFailures = result === 'ready' ? 0 : this.probeFailures + 1;
    let next = startingProbeIntervalMs;
    if (action === 'mark-ready' || action === 'unresponsive') this.phaseStartedAt = Date.now();
    if (action === 'mark-ready') {
      this.update('ready', {
        reason: 'Ready',
        endpoint: this.endpoint(),
        message: `Gateway ready on port ${this.port}`,
      });
    } else if (action === 'unresponsive') {
      this.update('starting', {
        reason: 'Unresponsive',
        endpoint: this.endpoint(),
        message: 'Gateway stopped answering /startupz',
      });
    } else if (action === 'restart') {
      signalProcess(-this.proc.pid, 'SIGKILL'); // the exit watcher reports a crash and restarts it
    } else if (action === 'fail') {
      return this.failStart(this.proc);
    }
    if (action === 'keep-ready' && phaseElapsedMs > STABLE_AFTER_MS) this.consecutiveCrashes = 0;
    if (action === 'mark-ready' || action === 'keep-ready') next = readyProbeIntervalMs;
    this.timers.schedule(epoch, next, () => this.probe(epoch));
  }

  /** A fresh gateway never became ready: report it, then kill it. No restart loop. */
  private async failStart(proc: NonNullable<RuntimeRecord['process']>): Promise<void> {
    this.detach();
    const seconds = Math.round(this.deps.options.startTimeoutMs / 1000);
    const tail = await readLogTail(this.paths.consoleLog, 5);
    const message = [`Gateway not ready after ${seconds} s`, ...tail].join('\n');
    this.update('failed', { reason: 'StartTimeout', message });
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
    if (!this.timers.isCurrent(epoch) || !this.proc) return;
    const { pid } = this.proc;
    this.proc = undefined;
    this.timers.cancel();
    killGroupRemnants(pid);
    this.persist();
    const verdict = classifyExit(code, signal, await readLogTail(this.paths.consoleLog, 20));
    if (!this.timers.isCurrent(epoch)) return;
    const { logger, maxRestartBackoffMs } = this.deps.options;
    logger.warn(
      { runtimeId: this.runtimeId, pid, code, signal, reason: verdict.reason },
      'gateway exited',
    );
    if (verdict.kind === 'failed') {
      this.deps.releasePort(this.runtimeId);
      this.update('failed', { reason: verdict.reason, message: verdict.message });
      return;
    }
    this.consecutiveCrashes++;
    const backoff = Math.round(
      restartBackoffMs(this.consecutiveCrashes, maxRestartBackoffMs) / 1000,
    );
    const waiting = this.target
      ? `restarting in ${backoff} s`
      : 'waiting for the controller to restart it';
    const message = `${verdict.message}\n(${waiting})`;
    this.update('crashed', {
      reason: verdict.reason,
      message,
      restarts: this.observed.restarts + 1,
    });
    if (this.target) this.scheduleRestart(epoch);
    else this.awaitingTarget = true;
  }

  private scheduleRestart(epoch: number): void {
    const delay = restartBackoffMs(this.consecutiveCrashes, this.deps.options.maxRestartBackoffMs);
    this.timers.schedule(epoch, delay, () => this.launch(epoch));
  }

  private persist(): void {
    if (this.port === undefined) return;
    const { runtimeId, ownerId, port, templateHash, openclawVersion, proc } = this;
    const record: RuntimeRecord = { runtimeId, ownerId, port, templateHash, openclawVersion };
    if (proc) record.process = proc;
    writeRecord(this.paths.record, record);
  }

  private endpoint(): string | undefined {
    return this.port === undefined ? undefined : `http://127.0.0.1:${this.port}`;
  }

  private update(state: WorkloadState, fields: Fields): void {
    const now = this.deps.options.now();
    const { next, changed } = transition(this.observed, state, fields, this.templateHash, now);
    this.observed = next;
    if (changed) this.deps.notify(this.runtimeId);
  }
}
