import pg from 'pg';
import { CHANNELS } from '../../schema/domain/channels.ts';
import type { DesiredState, RetentionPolicy, RuntimePhase } from '../../schema/domain/enums.ts';

/**
 * Plays the server's half of the orchestrator contract directly in SQL: writes spec columns, bumps
 * `generation`, NOTIFYs. Orchestrator tests use it so they depend on the contract, not on server code.
 */
export class SpecWriter {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  }

  async user(username: string): Promise<string> {
    const { rows } = await this.pool.query<{ id: string }>(
      `insert into users (id, username, username_key, role, status, must_change_password, created_at, updated_at)
       values (gen_random_uuid(), $1::text, lower($1::text), 'user', 'active', false, now(), now()) returning id`,
      [username],
    );
    return rows[0]?.id as string;
  }

  async runtime(
    ownerId: string,
    spec: { desired?: DesiredState; profile?: string } = {},
  ): Promise<string> {
    const { rows } = await this.pool.query<{ id: string }>(
      `insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy, profile,
                             runtime_version, restart_nonce, spec_updated_at, phase, conditions, observed_generation)
       values (gen_random_uuid(), $1, now(), $2, 1, 'preserve', $3, '', 0, now(), 'Pending', '[]', 0) returning id`,
      [ownerId, spec.desired ?? 'running', spec.profile ?? 'default'],
    );
    const id = rows[0]?.id as string;
    await this.notify(id);
    return id;
  }

  async setDesired(
    id: string,
    desired: DesiredState,
    retention: RetentionPolicy = 'preserve',
  ): Promise<void> {
    await this.pool.query(
      `update runtimes set desired_state = $2, retention_policy = $3, generation = generation + 1, spec_updated_at = now()
        where id = $1`,
      [id, desired, retention],
    );
    await this.notify(id);
  }

  async status(id: string): Promise<{
    phase: RuntimePhase;
    lastError: string | null;
    observedGeneration: number;
    generation: number;
    endpoint: string | null;
  }> {
    const { rows } = await this.pool.query(
      'select phase, last_error, observed_generation, generation, endpoint from runtimes where id = $1',
      [id],
    );
    const r = rows[0];
    return {
      phase: r.phase,
      lastError: r.last_error,
      observedGeneration: r.observed_generation,
      generation: r.generation,
      endpoint: r.endpoint,
    };
  }

  async events(id: string): Promise<
    {
      id: string;
      seq: number;
      type: string;
      phase: RuntimePhase;
      reason: string;
      message: string;
      progress: number | null;
    }[]
  > {
    const { rows } = await this.pool.query(
      'select e.id::text as id, e.seq, e.type, e.phase, e.reason, e.message, e.progress from runtime_events e where e.runtime_id = $1 order by e.id',
      [id],
    );
    return rows;
  }

  /**
   * Epoch milliseconds (PostgreSQL clock) of a start: row created, process spawned (the first
   * `Starting` event), first `Running` event.
   */
  async startTimeline(id: string): Promise<{ created: number; spawned: number; running: number }> {
    const { rows } = await this.pool.query(
      `select extract(epoch from r.created_at) * 1000 as created,
              (select extract(epoch from min(at)) * 1000 from runtime_events
                where runtime_id = r.id and reason = 'Starting') as spawned,
              (select extract(epoch from min(at)) * 1000 from runtime_events
                where runtime_id = r.id and phase = 'Running') as running
         from runtimes r where r.id = $1`,
      [id],
    );
    const row = rows[0] ?? {};
    return {
      created: Number(row.created),
      spawned: Number(row.spawned),
      running: Number(row.running),
    };
  }

  /** Resolves when the runtime has reached `phase` for its current generation. */
  async reached(id: string, phase: RuntimePhase): Promise<boolean> {
    const s = await this.status(id);
    return s.phase === phase && s.observedGeneration === s.generation;
  }

  private async notify(id: string): Promise<void> {
    await this.pool.query('select pg_notify($1, $2)', [CHANNELS.runtimeSpec, id]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
