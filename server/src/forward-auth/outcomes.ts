import { forwardAuthDecisions } from '../metrics/registry.ts';
import type { AuditEntry } from '../services/audit.ts';
import type { Decision, EntranceViewer } from './types.ts';

/** Allow/deny counts since start (a plain object until metrics land). */
export interface EntranceCounters {
  allow: number;
  deny: number;
  byReason: Record<string, number>;
}

/** Writes one audit row; failures are the writer's to log. */
export type AuditWriter = (
  who: { viewer: EntranceViewer | null; ip: string | null },
  entry: AuditEntry,
) => Promise<void>;

export interface OutcomeOptions {
  /** At most one audit row per (viewer, host, reason) in this window. @default 60000 */
  auditWindowMs?: number;
  /** Forget rate-limit keys beyond this many (oldest first), bounding memory. @default 10000 */
  maxAuditKeys?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Counts every decision and audits the ones worth a row (denials of signed-in users, untrusted
 * proxies, admin access) — rate limited, so a browser retrying a forbidden WebSocket every second
 * cannot turn the audit table into a write amplifier.
 */
export class Outcomes {
  readonly counters: EntranceCounters = { allow: 0, deny: 0, byReason: {} };
  private readonly lastAudit = new Map<string, number>();
  private readonly write: AuditWriter;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(write: AuditWriter, options: OutcomeOptions = {}) {
    this.write = write;
    this.windowMs = options.auditWindowMs ?? 60_000;
    this.maxKeys = options.maxAuditKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  record(
    decision: Decision,
    who: { viewer: EntranceViewer | null; ip: string | null },
    host: string | undefined,
  ): void {
    const c = this.counters;
    if (decision.allow) c.allow++;
    else c.deny++;
    c.byReason[decision.reason] = (c.byReason[decision.reason] ?? 0) + 1;
    forwardAuthDecisions.inc({
      result: decision.allow ? 'allow' : 'deny',
      reason: decision.reason,
    });
    if (!decision.audit) return;
    const safeHost = (host ?? '').slice(0, 255);
    const key = `${who.viewer?.userId ?? `anon:${who.ip}`}|${safeHost}|${decision.reason}`;
    const now = this.now();
    const last = this.lastAudit.get(key);
    if (last !== undefined && now - last < this.windowMs) return;
    this.lastAudit.delete(key);
    this.lastAudit.set(key, now);
    if (this.lastAudit.size > this.maxKeys) {
      const oldest = this.lastAudit.keys().next().value;
      if (oldest !== undefined) this.lastAudit.delete(oldest);
    }
    const runtimeId = decision.allow ? decision.headers['x-clawloops-runtime-id'] : '';
    void this.write(who, {
      action: decision.allow ? 'entrance.adminAccess' : 'entrance.denied',
      result: decision.allow ? 'ok' : 'denied',
      targetType: runtimeId ? 'runtime' : 'host',
      targetId: runtimeId || safeHost.slice(0, 64),
      detail: { reason: decision.reason, status: decision.status, host: safeHost },
    });
  }
}
