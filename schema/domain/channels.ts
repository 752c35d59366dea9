/**
 * PostgreSQL NOTIFY channels: the only way server/ and orchestrator/ wake each other.
 * Payloads are ids only (level-triggered): the receiver always re-reads rows.
 */
export const CHANNELS = {
  /** Server → orchestrator: a runtime's spec changed. Payload: runtime id. */
  runtimeSpec: 'clawloops_runtime_spec',
  /** Anyone → servers: new runtime events were committed. Payload: highest event id. */
  runtimeEvents: 'clawloops_runtime_events',
  /** Server → servers: sessions/tokens/users changed; drop caches. Payload: `session:<id>` | `user:<id>`. */
  authInvalidate: 'clawloops_auth_invalidate',
  /**
   * Anyone → credential proxies: model access changed; drop caches. Payload: `routes` (routes or grants),
   * `budget:<userId>` | `budget:*`, `credential:<runtimeId>` (the orchestrator wrote a runtime key).
   */
  modelAccess: 'clawloops_model_access',
} as const;

/** Advisory lock key that serialises runtime-event inserts so commit order equals id order. */
export const RUNTIME_EVENT_LOCK = 0x636c_6177; // 'claw'

/** Advisory lock key held by the active orchestrator (leader election). */
export const ORCHESTRATOR_LEADER_LOCK = 0x6c6f_6f70; // 'loop'
