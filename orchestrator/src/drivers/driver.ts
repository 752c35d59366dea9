import type { RetentionPolicy } from '../../../schema/domain/enums.ts';
import type { RuntimeProfile } from '../../../schema/domain/profiles.ts';

/**
 * The Runtime Manager contract: what the orchestrator asks of a backend (local child processes or
 * Kubernetes). Every method is idempotent and safe to repeat after a crash at any point; the
 * controller calls them level-triggered from `plan()`.
 */
export interface RuntimeDriver {
  readonly kind: 'local' | 'kubernetes';
  /**
   * Begin observing the backend. `onChange(runtimeId)` is called whenever anything about a runtime may
   * have changed (watch event, child exit, probe result). It carries an id only, never a payload.
   */
  start(onChange: (runtimeId: string) => void): Promise<void>;
  /** Stop observing. Runtimes keep running: a new orchestrator adopts them. */
  stop(): Promise<void>;
  /** What exists right now for this runtime (from the driver's cache; cheap, no side effects). */
  observe(runtimeId: string): Promise<ObservedRuntime>;
  /** Make the workload exist and run `target`. Replaces it when `templateHash` differs. */
  ensureRunning(target: RuntimeTarget): Promise<void>;
  /** No workload for this runtime. Data (workspace) stays. */
  ensureStopped(runtimeId: string): Promise<void>;
  /** Nothing left for this runtime; with `wipe` the owner's workspace data goes too. */
  ensureDeleted(runtimeId: string, ownerId: string, retention: RetentionPolicy): Promise<void>;
  /** Every runtime id the backend holds anything for (orphan detection on resync). */
  listKnown(): Promise<string[]>;
  /**
   * Resolves when the backend can take work (the API server answers; the data directory is
   * writable); throws otherwise. Feeds the orchestrator's `/readyz`. Absent: assumed ready.
   */
  checkBackend?(): Promise<void>;
}

/** Everything a driver needs to run one runtime. Pure data, built by the controller from DB rows. */
export interface RuntimeTarget {
  runtimeId: string;
  ownerId: string;
  /** Identity the entrance sends in the identity header; the gateway's only allowed user. */
  ownerUsername: string;
  /** DNS label of the owner's runtime host, e.g. `u-alice` (schema/domain/slugs.ts). */
  hostLabel: string;
  /** Browser origin of the runtime, e.g. `https://u-alice.example.com` or `http://u-alice.localhost:8080`. */
  publicOrigin: string;
  generation: number;
  profile: RuntimeProfile;
  /** Resolved OpenClaw version (npm) / image tag. */
  openclawVersion: string;
  /**
   * Hash of everything whose change requires replacing the workload (version, profile, config inputs,
   * restart nonce, credentials). Drivers store it on the workload and report it back in `observe()`.
   */
  templateHash: string;
  /** Password the orchestrator uses for its own health calls (gateway.auth.password). */
  gatewayPassword: string;
  /** Model access through the credential proxy; absent until the model layer is configured. */
  model?: ModelAccess;
}

export interface ModelAccess {
  /** OpenAI-compatible base URL of the credential proxy, as seen from the runtime. */
  baseUrl: string;
  /** Per-runtime proxy key. Delivered through the environment / a Secret, never written into config. */
  apiKey: string;
  models: { id: string; name: string; contextWindow?: number; maxTokens?: number }[];
  primary?: string;
}

/**
 * - `absent`: no workload (data may still exist).
 * - `preparing`: being set up — installing OpenClaw, scheduling, pulling the image.
 * - `starting`: process/container up, `/startupz` not yet ok.
 * - `ready`: `/startupz` answers ok JSON.
 * - `terminating`: being stopped.
 * - `crashed`: exited unexpectedly / restarting; may recover on its own.
 * - `failed`: cannot run as configured (config rejected, image pull error, no free port); needs a change.
 */
export type WorkloadState =
  | 'absent'
  | 'preparing'
  | 'starting'
  | 'ready'
  | 'terminating'
  | 'crashed'
  | 'failed';

export interface ObservedRuntime {
  state: WorkloadState;
  /** `templateHash` of the workload that exists, if any. */
  templateHash?: string;
  /** Crashes/restarts of the current workload since it was created. */
  restarts: number;
  /** CamelCase reason for the current state, e.g. `ConfigRejected`, `CrashLoopBackOff`, `Installing`. */
  reason?: string;
  /** Human-readable detail for the user. */
  message?: string;
  /** 0–100 while preparing/starting, when the driver can tell. */
  progress?: number;
  /** Where the entrance sends the owner's traffic (e.g. `http://127.0.0.1:19020`). */
  endpoint?: string;
  /** When the current state was entered, if known. */
  since?: Date;
  /**
   * Set when objects the driver owns no longer match what it would apply (edited by hand, deleted,
   * or not yet verified since this process started), e.g. `Service rt-x: spec.ports`. The planner
   * then calls `ensureRunning` even though the workload is ready; otherwise a converged runtime
   * costs no write at all.
   */
  drift?: string;
}

export const ABSENT: ObservedRuntime = { state: 'absent', restarts: 0 };
