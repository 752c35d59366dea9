import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { IDENTITY_HEADER } from '../../../../schema/domain/identity.ts';

type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

/** The subset of a pino logger the driver uses; a pino `Logger` satisfies it. */
export interface DriverLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  debug: LogFn;
}

export interface LocalDriverOptions {
  /**
   * Root for everything the driver writes: `workspaces/<ownerId>/` (the owner's HOME and OpenClaw
   * state, kept across runtimes) and `runtimes/<runtimeId>/` (process bookkeeping and logs).
   */
  dataDir: string;
  /**
   * Where OpenClaw versions are installed, one `<version>/` directory each. Shared by every driver
   * on the machine so a warm machine skips the ~20 s, ~650 MB install.
   * @default `~/.cache/clawloops/openclaw`
   */
  openclawCacheDir?: string;
  /** First gateway port of the pool. @default 19100 */
  portBase?: number;
  /**
   * Distance between pool ports. OpenClaw derives ports from its own (browser control = port+2, CDP
   * from port+11), so instances must be at least 20 apart.
   * @default 20
   */
  portStride?: number;
  /** Number of ports in the pool, i.e. the most runtimes that can run at once. @default 50 */
  portCount?: number;
  /** Header the entrance sets to the authenticated username. @default IDENTITY_HEADER (`x-clawloops-user`) */
  identityHeader?: string;
  /** Proxy addresses allowed to assert identity (the embedded entrance). @default ['127.0.0.1'] */
  trustedProxies?: string[];
  /** A gateway not answering `/startupz` within this time is killed and reported `failed`. @default 120000 */
  startTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL when stopping a gateway. @default 15000 */
  stopTimeoutMs?: number;
  /** Probe interval while a gateway is starting (a loopback GET; adds half of it to every start). @default 150 */
  startingProbeIntervalMs?: number;
  /** Probe interval once ready, to notice a hung gateway. @default 5000 */
  readyProbeIntervalMs?: number;
  /** Upper bound of the crash-restart backoff (1 s, 2 s, 4 s, …). @default 30000 */
  maxRestartBackoffMs?: number;
  /**
   * Node binary that installs and runs OpenClaw (it needs Node >=24.16). Its directory is put first
   * on PATH for npm so OpenClaw's install script sees the same Node.
   * @default process.execPath (the Node running the orchestrator)
   */
  nodeBinary?: string;
  /** npm executable, resolved on PATH (after the `nodeBinary` directory). @default 'npm' */
  npmBinary?: string;
  /** Structured logger (pino-compatible). @default a no-op logger */
  logger?: DriverLogger;
  /** Clock for `since` timestamps; injectable for tests. @default () => new Date() */
  now?: () => Date;
}

export type ResolvedOptions = Required<LocalDriverOptions>;

const noop: LogFn = () => {};
const silentLogger: DriverLogger = { info: noop, warn: noop, error: noop, debug: noop };

export function resolveOptions(options: LocalDriverOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    dataDir: options.dataDir,
    openclawCacheDir: join(homedir(), '.cache', 'clawloops', 'openclaw'),
    portBase: 19100,
    portStride: 20,
    portCount: 50,
    identityHeader: IDENTITY_HEADER,
    trustedProxies: ['127.0.0.1'],
    startTimeoutMs: 120_000,
    stopTimeoutMs: 15_000,
    startingProbeIntervalMs: 150,
    readyProbeIntervalMs: 5_000,
    maxRestartBackoffMs: 30_000,
    nodeBinary: process.execPath,
    npmBinary: 'npm',
    logger: silentLogger,
    now: () => new Date(),
    ...stripUndefined(options),
  };
  // Gateways run with their own working directory: a relative dataDir (DATA_DIR=.data) would make
  // OPENCLAW_CONFIG_PATH point elsewhere and the gateway refuse to start ("Missing config").
  resolved.dataDir = resolve(resolved.dataDir);
  resolved.openclawCacheDir = resolve(resolved.openclawCacheDir);
  if (resolved.portStride < 20) {
    throw new Error(
      `portStride must be >= 20 (OpenClaw derives ports up to +11), got ${resolved.portStride}`,
    );
  }
  const lastPort = resolved.portBase + resolved.portStride * (resolved.portCount - 1);
  if (resolved.portBase < 1024 || lastPort > 65_000 || resolved.portCount < 1) {
    throw new Error(`port pool ${resolved.portBase}..${lastPort} is out of range`);
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
