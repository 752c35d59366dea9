/**
 * A runtime's console output (the gateway's stdout/stderr) for its owner and admins.
 *
 * Only the local driver is supported: the server reads the file the driver writes, which works
 * because in the embedded/local mode both processes share the machine and DATA_DIR, and the path
 * rule lives in schema/domain/local-layout.ts. On Kubernetes the logs live with the pod and would
 * come from the pod logs API (`GET .../pods/<name>/log?tailLines=&follow=`), which needs an API-server
 * client and RBAC the server does not have; that mode answers NotAvailableError.
 */
import { localConsoleLogPath, localDriverDir } from '../../../schema/domain/local-layout.ts';
import type { Config } from '../config.ts';
import { InvalidInputError, NotAvailableError, NotFoundError } from '../graphql/errors.ts';
import { readLastLines, type TailOptions, tailLines } from './log-file.ts';
import {
  assertCanActOn,
  isUuid,
  type RuntimeRequest,
  requireScope,
  requireViewer,
} from './runtime-access.ts';
import { sqlRunner } from './runtime-spec-change.ts';

export const MAX_LOG_TAIL = 5000;

export interface LogRequest extends RuntimeRequest {
  deps: { config: Pick<Config, 'RUNTIME_DRIVER' | 'DATA_DIR'> };
}

/** Authorises (owner or admin, `runtime:read`) and returns the runtime's console log path. */
async function consoleLogOf(req: LogRequest, runtimeId: string): Promise<string> {
  const viewer = requireViewer(req.viewer);
  requireScope(viewer, 'runtime:read');
  const [row] = isUuid(runtimeId)
    ? await sqlRunner(req.em)('select owner_id from runtimes where id = ?', [runtimeId])
    : [];
  if (!row) throw new NotFoundError('Runtime');
  assertCanActOn(viewer, String(row.owner_id));
  const { RUNTIME_DRIVER, DATA_DIR } = req.deps.config;
  if (RUNTIME_DRIVER !== 'local') {
    throw new NotAvailableError(
      `Runtime logs are not available for the ${RUNTIME_DRIVER} driver yet (they live with the pod: use \`kubectl logs\`).`,
      'LOGS_NOT_AVAILABLE_FOR_DRIVER',
    );
  }
  return localConsoleLogPath(localDriverDir(DATA_DIR), runtimeId);
}

/** The last `tail` lines (1 … MAX_LOG_TAIL) of the runtime's console log; empty before its first start. */
export async function runtimeLogs(
  req: LogRequest,
  runtimeId: string,
  tail: number,
): Promise<string[]> {
  if (!Number.isInteger(tail) || tail < 1 || tail > MAX_LOG_TAIL) {
    throw new InvalidInputError([{ path: 'tail', message: `between 1 and ${MAX_LOG_TAIL}` }]);
  }
  return readLastLines(await consoleLogOf(req, runtimeId), tail);
}

/** New console lines as they are written, in batches, from now on (history: `runtimeLogs`). */
export async function watchRuntimeLogs(
  req: LogRequest,
  runtimeId: string,
  options?: TailOptions,
): Promise<AsyncIterableIterator<string[]>> {
  return tailLines(await consoleLogOf(req, runtimeId), options);
}
