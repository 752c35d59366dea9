/**
 * Mixed lifecycle operations through the real GraphQL API (start, stop, restart, delete with the
 * workspace preserved or wiped, recreate after a delete), each tenant acting on their own runtime.
 * Every operation is recorded with its outcome: `acked` (the mutation returned the Runtime), `refused`
 * (a typed error such as RUNTIME_DELETING) or `failed` (transport error, masked error: the caller
 * cannot know whether it committed). Operations of one tenant never overlap, so "the last acked
 * operation" of a runtime is well defined.
 */
import type { DesiredState } from '../../schema/domain/enums.ts';
import { gql } from '../testkit/graphql.ts';
import { seed } from '../testkit/seed.ts';
import type { TestServer } from '../testkit/server.ts';
import type { Random } from './chaos-seed.ts';

export type OpKind = 'start' | 'stop' | 'restart' | 'deletePreserve' | 'deleteWipe' | 'recreate';
export type Outcome = 'acked' | 'refused' | 'failed';

export interface OpRecord {
  kind: OpKind;
  tenant: string;
  /** The runtime acted on (for `recreate`: the one created, when acked). */
  runtimeId: string | null;
  outcome: Outcome;
  /** Spec as the mutation returned it (acked only). */
  generation?: number;
  desiredState?: DesiredState;
  /** Error code (refused) or message (failed). */
  detail?: string;
  startedAt: number;
  endedAt: number;
}

export interface Tenant {
  username: string;
  userId: string;
  cookie: string;
  runtimeId: string | null;
  /** Desired state as last acknowledged. */
  desired: DesiredState | null;
  busy: boolean;
}

const RESULT = `__typename ... on Runtime { id generation desiredState } ... on Error { code message }`;
const DOCUMENTS: Record<OpKind, string> = {
  start: `mutation($id: ID) { r: startRuntime(id: $id) { ${RESULT} } }`,
  recreate: `mutation { r: startRuntime { ${RESULT} } }`,
  stop: `mutation($id: ID!) { r: stopRuntime(id: $id) { ${RESULT} } }`,
  restart: `mutation($id: ID!) { r: restartRuntime(id: $id) { ${RESULT} } }`,
  deletePreserve: `mutation($id: ID!) { r: deleteRuntime(id: $id, retention: PRESERVE) { ${RESULT} } }`,
  deleteWipe: `mutation($id: ID!) { r: deleteRuntime(id: $id, retention: WIPE) { ${RESULT} } }`,
};

export const globalRuntimeId = (id: string) => Buffer.from(`Runtime:${id}`).toString('base64');
const localId = (gid: string) => Buffer.from(gid, 'base64').toString().split(':')[1] as string;

export interface WorkloadOptions {
  random: Random;
  /** Whether a deleted runtime is gone (phase Deleted), so its owner may create the next one. */
  isGone: (runtimeId: string) => Promise<boolean>;
}

export class LifecycleWorkload {
  readonly tenants: Tenant[];
  readonly records: OpRecord[] = [];
  private readonly options: WorkloadOptions;

  private constructor(tenants: Tenant[], options: WorkloadOptions) {
    this.tenants = tenants;
    this.options = options;
  }

  /** `count` users with sessions on `server`'s database, each with a first runtime (desired running). */
  static async create(
    server: TestServer,
    count: number,
    options: WorkloadOptions,
    prefix = 'tenant',
  ): Promise<LifecycleWorkload> {
    const { createUser, loginAs } = seed(server);
    const tenants: Tenant[] = [];
    for (let i = 0; i < count; i++) {
      const user = await createUser({ username: `${prefix}-${i}` });
      const cookie = await loginAs(user);
      tenants.push({
        username: user.username,
        userId: user.id,
        cookie,
        runtimeId: null,
        desired: null,
        busy: false,
      });
    }
    const workload = new LifecycleWorkload(tenants, options);
    for (const t of tenants) {
      const r = await workload.execute(server.url, t, 'recreate');
      if (r.outcome !== 'acked') throw new Error(`first start of ${t.username}: ${r.detail}`);
    }
    workload.records.length = 0; // the set-up is not part of the operations counted
    return workload;
  }

  /**
   * One operation by a random idle tenant, chosen to be valid for that tenant's runtime as last
   * acknowledged. Returns null when no tenant can act right now (all busy or still deleting).
   */
  async step(url: string): Promise<OpRecord | null> {
    const { random } = this.options;
    const idle = this.tenants.filter((t) => !t.busy);
    for (let tries = 0; tries < 4 && idle.length > 0; tries++) {
      const t = idle.splice(random.int(0, idle.length - 1), 1)[0] as Tenant;
      if (t.busy) continue; // taken by another lane while this one awaited
      const kind = this.pick(t);
      if (kind === 'recreate' && t.runtimeId) {
        t.busy = true;
        const gone = await this.options.isGone(t.runtimeId).catch(() => false);
        t.busy = false;
        if (!gone) continue;
      }
      return this.execute(url, t, kind);
    }
    return null;
  }

  private pick(t: Tenant): OpKind {
    const { random } = this.options;
    if (t.desired === 'running')
      return random.weighted({ stop: 4, restart: 3, deletePreserve: 1, deleteWipe: 1 });
    if (t.desired === 'stopped')
      return random.weighted({ start: 4, restart: 2, deletePreserve: 1, deleteWipe: 1 });
    return 'recreate';
  }

  async execute(url: string, t: Tenant, kind: OpKind): Promise<OpRecord> {
    t.busy = true;
    const startedAt = Date.now();
    const record: OpRecord = {
      kind,
      tenant: t.username,
      runtimeId: kind === 'recreate' ? null : t.runtimeId,
      outcome: 'failed',
      startedAt,
      endedAt: startedAt,
    };
    try {
      const variables =
        t.runtimeId && kind !== 'recreate' ? { id: globalRuntimeId(t.runtimeId) } : {};
      const res = await gql(url, DOCUMENTS[kind], variables, { cookie: t.cookie });
      const r = res.data?.r as
        | { __typename: string; id?: string; generation?: number; desiredState?: string }
        | { __typename: string; code?: string; message?: string }
        | undefined;
      if (r && 'id' in r && r.__typename === 'Runtime' && r.id) {
        record.outcome = 'acked';
        record.runtimeId = localId(r.id);
        record.generation = r.generation as number;
        record.desiredState = String(r.desiredState).toLowerCase() as DesiredState;
        t.runtimeId = record.runtimeId;
        t.desired = record.desiredState;
      } else if (r && 'code' in r && r.code) {
        record.outcome = 'refused';
        record.detail = r.code;
      } else {
        record.detail = `HTTP ${res.status}: ${JSON.stringify(res.errors ?? res.text).slice(0, 200)}`;
      }
    } catch (err) {
      record.detail = (err as Error).message;
    } finally {
      record.endedAt = Date.now();
      t.busy = false;
    }
    this.records.push(record);
    return record;
  }

  count(outcome: Outcome): number {
    return this.records.filter((r) => r.outcome === outcome).length;
  }

  /** Acknowledged operations per runtime, in the order they completed. */
  ackedByRuntime(): Map<string, OpRecord[]> {
    const by = new Map<string, OpRecord[]>();
    for (const r of this.records) {
      if (r.outcome !== 'acked' || !r.runtimeId) continue;
      by.set(r.runtimeId, [...(by.get(r.runtimeId) ?? []), r]);
    }
    return by;
  }

  /** Refusals by error code, e.g. `RUNTIME_DELETING 3` (empty: none). */
  refusals(): string {
    const codes = new Map<string, number>();
    for (const r of this.records)
      if (r.outcome === 'refused')
        codes.set(r.detail ?? '?', (codes.get(r.detail ?? '?') ?? 0) + 1);
    return [...codes].map(([code, n]) => `${code} ${n}`).join(', ');
  }

  /** Operations by kind and outcome, e.g. `stop 41/0/0` (acked/refused/failed). */
  summary(): string {
    const kinds: OpKind[] = [
      'start',
      'stop',
      'restart',
      'deletePreserve',
      'deleteWipe',
      'recreate',
    ];
    return kinds
      .map((k) => {
        const of = this.records.filter((r) => r.kind === k);
        const n = (o: Outcome) => of.filter((r) => r.outcome === o).length;
        return `${k} ${n('acked')}/${n('refused')}/${n('failed')}`;
      })
      .join(', ');
  }
}

/**
 * Runs `total` operations over `lanes` concurrent lanes with random pauses (mean `meanGapMs`),
 * sending each to one of `urls` in turn. Stops early when `stop()` says so.
 */
export async function runOperations(
  workload: LifecycleWorkload,
  opts: {
    total: number;
    lanes: number;
    meanGapMs: number;
    urls: () => string[];
    random: Random;
    stop?: () => boolean;
  },
): Promise<void> {
  let issued = 0;
  let turn = 0;
  const lane = async () => {
    while (issued < opts.total && !opts.stop?.()) {
      issued++; // reserved before the pause, so lanes never overshoot `total`
      await sleep(opts.random.int(0, 2 * opts.meanGapMs));
      const urls = opts.urls();
      const url = urls[turn++ % urls.length] as string;
      if (!(await workload.step(url))) {
        issued--;
        await sleep(50);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.lanes }, lane));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
