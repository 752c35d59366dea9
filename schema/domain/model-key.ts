import { createHash, createHmac } from 'node:crypto';

/**
 * Per-runtime credential-proxy keys.
 *
 * Design: `key = "clk_" + base64url(HMAC-SHA256(secret, "clawloops:model-key:<runtimeId>:<epoch>"))`,
 * where `epoch` is the runtime's spec `generation`.
 * - Unguessable: 256 bits from the platform secret; nothing about it is stored in plaintext.
 * - Reproducible: the orchestrator can re-derive the key of a running workload at any time (adoption
 *   after a restart, a crashed child re-spawned), so no secret ever has to be read back from storage.
 * - Stored only hashed: the orchestrator (sole writer) upserts `runtime_credentials(runtime_id, epoch,
 *   key_hash)` before it starts a workload; the proxy (reader) looks keys up by SHA-256.
 * - Rotated on recreation: every start/restart/delete bumps `generation`, so the next workload gets a
 *   new key, and the proxy accepts a key only while `epoch = runtimes.generation` and the runtime should
 *   run and its owner is active — so stop, delete and disabling the owner revoke the key the moment the
 *   server commits, without waiting for the orchestrator.
 */
export const MODEL_KEY_PREFIX = 'clk_';

export function deriveModelKey(secret: string, runtimeId: string, epoch: number): string {
  const mac = createHmac('sha256', secret)
    .update(`clawloops:model-key:${runtimeId}:${epoch}`)
    .digest('base64url');
  return `${MODEL_KEY_PREFIX}${mac}`;
}

/** How a key is stored and looked up: hex SHA-256 of the whole key. */
export function modelKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
