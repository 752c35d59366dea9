import { join } from 'node:path';
import {
  assertSafeId,
  localConsoleLogPath,
  localRuntimeRoot,
} from '../../../../schema/domain/local-layout.ts';

export { assertSafeId };

/**
 * On-disk layout under `dataDir`. Workspace data belongs to the owner, not the runtime, so a
 * runtime deleted with `preserve` leaves files its successor finds; process bookkeeping belongs to
 * the runtime.
 */
export interface OwnerPaths {
  root: string;
  /** The gateway's HOME (npm caches, auth-profile keys under ~/.config/openclaw). */
  home: string;
  /** OPENCLAW_STATE_DIR. */
  state: string;
  /** OPENCLAW_CONFIG_PATH, rewritten from the renderer on every start. */
  config: string;
  /** The agent workspace (OpenClaw's default `$STATE_DIR/workspace`). */
  workspace: string;
  /** The gateway's TMPDIR, so its temporary files go with the owner's data. */
  tmp: string;
}

export interface RuntimePaths {
  root: string;
  /** Bookkeeping record (pid, port, templateHash, start time). */
  record: string;
  /** The gateway's stdout/stderr; a file, not a pipe, so it survives an orchestrator restart. */
  consoleLog: string;
  /** OpenClaw's own file log (`logging.file`; the default is shared by every instance on a host). */
  openclawLog: string;
}

export function workspacesDir(dataDir: string): string {
  return join(dataDir, 'workspaces');
}

export function runtimesDir(dataDir: string): string {
  return join(dataDir, 'runtimes');
}

export function ownerPaths(dataDir: string, ownerId: string): OwnerPaths {
  assertSafeId('ownerId', ownerId);
  const root = join(workspacesDir(dataDir), ownerId);
  const home = join(root, 'home');
  const state = join(home, '.openclaw');
  return {
    root,
    home,
    state,
    config: join(state, 'openclaw.json'),
    workspace: join(state, 'workspace'),
    tmp: join(root, 'tmp'),
  };
}

export function runtimePaths(dataDir: string, runtimeId: string): RuntimePaths {
  // The root and console log come from the shared rule: the server reads that file (runtimeLogs).
  const root = localRuntimeRoot(dataDir, runtimeId);
  return {
    root,
    record: join(root, 'runtime.json'),
    consoleLog: localConsoleLogPath(dataDir, runtimeId),
    openclawLog: join(root, 'openclaw.log'),
  };
}
