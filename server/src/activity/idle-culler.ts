import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.ts';
import {
  lockRuntime,
  type SystemActor,
  sqlRunner,
  writeSpecChange,
} from '../services/runtime-spec-change.ts';
import {
  type AutoStopReason,
  type AutoStopSettings,
  autoStop,
  autoStopPolicy,
} from './auto-stop.ts';

export interface IdleCullerDeps {
  orm: MikroORM;
  settings: AutoStopSettings;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** This process's recorder, flushed before each sweep so that its own latest activity counts. */
  recorder?: { flush(): Promise<unknown> };
}

export interface IdleCullerOptions {
  /** Time between sweeps. @default 30_000 */
  intervalMs?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface Culled {
  runtimeId: string;
  reason: AutoStopReason;
}

const ACTOR: SystemActor = { viewer: null, ip: null, label: 'idle-culler' };

/**
 * Stops runtimes that were idle too long or ran past the maximum age (auto-stop.ts decides), through
 * the same spec change as a stop by hand: desired state `stopped` with reason `Idle`/`MaxAge`, one
 * `SpecChanged` event, one audit row (actor `idle-culler`), a NOTIFY. Data is never touched.
 *
 * Every server process runs one. Each stop re-decides on the row locked `FOR UPDATE`, so two
 * processes never both stop a runtime, and activity written after the sweep's first read (or a start
 * in between) still saves it. Activity remembered by another process but not yet flushed is not seen:
 * activity is as fresh as the recorders' flush interval (30 s).
 */
export function createIdleCuller(deps: IdleCullerDeps, options: IdleCullerOptions = {}) {
  const intervalMs = options.intervalMs ?? 30_000;
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function sweep(): Promise<Culled[]> {
    await deps.recorder?.flush();
    const em = deps.orm.em.fork() as EntityManager;
    // The profile's override comes from the copy in the runtime's spec, as the API shows it.
    const rows = await sqlRunner(em)(
      `select r.id, r.desired_state, r.spec_updated_at, r.last_activity_at,
              r.profile_spec -> 'idleTimeoutMinutes' as profile_idle
         from runtimes r where r.desired_state = 'running'`,
      [],
    );
    const culled: Culled[] = [];
    for (const row of rows) {
      const policy = autoStopPolicy(deps.settings, numberOrNull(row.profile_idle));
      const facts = {
        desiredState: 'running' as const,
        specUpdatedAt: toDate(row.spec_updated_at),
        lastActivityAt: row.last_activity_at ? toDate(row.last_activity_at) : null,
      };
      if (!autoStop(facts, policy, now()).due) continue;
      const reason = await cull(String(row.id)).catch((err) => {
        deps.logger.warn({ err, runtimeId: row.id }, 'idle culler could not stop runtime');
        return null;
      });
      if (reason) culled.push({ runtimeId: String(row.id), reason });
    }
    return culled;
  }

  /** Decides again on the locked row (fresh activity, spec and profile copy), and stops if due. */
  function cull(id: string): Promise<AutoStopReason | null> {
    return deps.orm.em.fork().transactional(async (em) => {
      const current = await lockRuntime(sqlRunner(em as EntityManager), id);
      if (!current) return null;
      const policy = autoStopPolicy(deps.settings, current.profileSpec?.idleTimeoutMinutes);
      const due = autoStop(current, policy, now()).due;
      if (!due) return null;
      await writeSpecChange(
        em as EntityManager,
        current,
        {
          desiredState: 'stopped',
          action: 'runtime.stop',
          reason: due,
          message:
            due === 'Idle'
              ? `Stopped after ${duration(policy.idleTimeoutMs ?? 0)} without activity`
              : `Stopped after running for ${duration(policy.maxAgeMs ?? 0)} (maximum run time)`,
          detail: {
            autoStop: due,
            lastActivityAt: current.lastActivityAt?.toISOString() ?? null,
            idleTimeoutMs: policy.idleTimeoutMs,
            maxAgeMs: policy.maxAgeMs,
          },
        },
        ACTOR,
      );
      deps.logger.info({ runtimeId: id, reason: due }, 'runtime stopped automatically');
      return due;
    });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep()
        .catch((err) => deps.logger.warn({ err }, 'idle culler sweep failed'))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    /** One pass now (tests; the timer calls it every `intervalMs`). */
    sweep,
    start(): void {
      stopped = false;
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type IdleCuller = ReturnType<typeof createIdleCuller>;

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

function numberOrNull(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** 45 s, 30 min, 8 h. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 120 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round((ms / 3_600_000) * 10) / 10} h`;
}
