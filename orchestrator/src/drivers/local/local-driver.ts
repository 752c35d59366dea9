import { constants } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import { ABSENT, type RuntimeDriver, type RuntimeTarget } from '../driver.ts';
import { createInstaller } from './install.ts';
import { type LocalDriverOptions, resolveOptions } from './options.ts';
import { assertSafeId, ownerPaths, runtimePaths } from './paths.ts';
import { candidatePorts, isPortFree } from './ports.ts';
import { isProcessAlive } from './proc.ts';
import { listRuntimeIds, readRecord, writeRecord } from './record.ts';
import { RuntimeSupervisor } from './supervisor.ts';

export type { DriverLogger, LocalDriverOptions } from './options.ts';

/**
 * The embedded Runtime Manager: one real OpenClaw gateway per runtime, as a detached child process
 * of the orchestrator.
 *
 * - State is in memory (`observe()` is a map lookup); `onChange(id)` fires on every change.
 * - Children outlive the orchestrator (own process group, output to files); `start()` re-adopts
 *   every recorded pid that still runs with the same start time, and `stop()` never kills them.
 * - Operations on one runtime are serialized; a different `templateHash` replaces the process.
 * - A crash is restarted by the driver with backoff while the runtime is wanted; exit 78 (config
 *   rejected) and a start timeout are terminal until the target changes.
 */
export function createLocalDriver(options: LocalDriverOptions): RuntimeDriver {
  const opts = resolveOptions(options);
  const installer = createInstaller({
    cacheDir: opts.openclawCacheDir,
    nodeBinary: opts.nodeBinary,
    npmBinary: opts.npmBinary,
    logger: opts.logger,
  });
  const supervisors = new Map<string, RuntimeSupervisor>();
  /** Port held by a runtime whose process runs or is being started. */
  const claims = new Map<string, number>();
  /** Last port of every recorded runtime, so a restarted runtime tends to get its port back. */
  const remembered = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();
  let onChange: ((runtimeId: string) => void) | undefined;

  const pool = { base: opts.portBase, stride: opts.portStride, count: opts.portCount };

  async function allocatePort(runtimeId: string, preferred?: number): Promise<number | undefined> {
    claims.delete(runtimeId);
    const inUse = new Set(claims.values());
    const others = new Set(
      [...remembered].filter(([id]) => id !== runtimeId).map(([, port]) => port),
    );
    for (const port of candidatePorts(
      pool,
      inUse,
      others,
      preferred ?? remembered.get(runtimeId),
    )) {
      if ([...claims.values()].includes(port)) continue;
      claims.set(runtimeId, port);
      if (await isPortFree(port)) {
        remembered.set(runtimeId, port);
        return port;
      }
      claims.delete(runtimeId);
    }
    return undefined;
  }

  const deps = {
    options: opts,
    installer,
    allocatePort,
    releasePort: (runtimeId: string, port?: number) => {
      if (port === undefined || claims.get(runtimeId) === port) claims.delete(runtimeId);
    },
    notify: (runtimeId: string) => onChange?.(runtimeId),
  };

  /** Run `fn` after every earlier operation on the same runtime settled. */
  function serial<T>(runtimeId: string, fn: () => Promise<T>): Promise<T> {
    const previous = queues.get(runtimeId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(fn);
    queues.set(runtimeId, next);
    void next
      .finally(() => queues.get(runtimeId) === next && queues.delete(runtimeId))
      .catch(() => {});
    return next;
  }

  async function stopRuntime(runtimeId: string): Promise<void> {
    const supervisor = supervisors.get(runtimeId);
    if (!supervisor) return;
    await supervisor.stop();
    supervisors.delete(runtimeId);
    onChange?.(runtimeId);
  }

  function adoptRecorded(runtimeId: string): void {
    const record = readRecord(runtimePaths(opts.dataDir, runtimeId).record);
    if (!record) {
      opts.logger.warn({ runtimeId }, 'ignoring unreadable runtime record');
      return;
    }
    remembered.set(runtimeId, record.port);
    const proc = record.process;
    if (!proc || supervisors.has(runtimeId)) return;
    if (!isProcessAlive(proc.pid, proc.startTime)) {
      // Died while nobody watched: forget the pid; the controller starts it again if still wanted.
      const { process: _gone, ...rest } = record;
      writeRecord(runtimePaths(opts.dataDir, runtimeId).record, rest);
      return;
    }
    const supervisor = new RuntimeSupervisor(deps, record);
    supervisors.set(runtimeId, supervisor);
    claims.set(runtimeId, record.port);
    supervisor.adopt(proc, record.port);
    opts.logger.info({ runtimeId, pid: proc.pid, port: record.port }, 'adopted running gateway');
  }

  return {
    kind: 'local',

    async start(callback) {
      onChange = callback;
      for (const runtimeId of await listRuntimeIds(opts.dataDir)) {
        try {
          assertSafeId('runtimeId', runtimeId);
          adoptRecorded(runtimeId);
        } catch (error) {
          opts.logger.warn({ runtimeId, err: (error as Error).message }, 'cannot adopt runtime');
        }
      }
    },

    async stop() {
      onChange = undefined;
      installer.abort();
      for (const supervisor of supervisors.values()) supervisor.detach();
      supervisors.clear();
    },

    async observe(runtimeId) {
      return supervisors.get(runtimeId)?.observe() ?? { ...ABSENT };
    },

    ensureRunning(target: RuntimeTarget) {
      return serial(target.runtimeId, async () => {
        assertSafeId('runtimeId', target.runtimeId);
        assertSafeId('ownerId', target.ownerId);
        const current = supervisors.get(target.runtimeId);
        if (
          current &&
          current.templateHash === target.templateHash &&
          !current.isTransientlyFailed()
        ) {
          current.provideTarget(target);
          return;
        }
        if (current) await stopRuntime(target.runtimeId);
        const supervisor = new RuntimeSupervisor(
          deps,
          {
            runtimeId: target.runtimeId,
            ownerId: target.ownerId,
            port: remembered.get(target.runtimeId) ?? 0,
            templateHash: target.templateHash,
            openclawVersion: target.openclawVersion,
          },
          target,
        );
        supervisors.set(target.runtimeId, supervisor);
        supervisor.start();
      });
    },

    ensureStopped(runtimeId) {
      return serial(runtimeId, () => stopRuntime(runtimeId));
    },

    ensureDeleted(runtimeId, ownerId, retention) {
      return serial(runtimeId, async () => {
        await stopRuntime(runtimeId);
        await rm(runtimePaths(opts.dataDir, runtimeId).root, { recursive: true, force: true });
        remembered.delete(runtimeId);
        if (retention !== 'wipe') return;
        const sharing = [...supervisors.values()].find((s) => s.ownerId === ownerId);
        if (sharing) {
          throw new Error(
            `workspace of ${ownerId} is in use by runtime ${sharing.runtimeId}; not wiping`,
          );
        }
        await rm(ownerPaths(opts.dataDir, ownerId).root, { recursive: true, force: true });
      });
    },

    async listKnown() {
      return listRuntimeIds(opts.dataDir);
    },

    async checkBackend() {
      await mkdir(opts.dataDir, { recursive: true });
      await access(opts.dataDir, constants.W_OK);
    },
  };
}
