import { describe, expect, it } from 'vitest';
import { RuntimeRouting } from './runtime-routing.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const OWNER = '00000000-0000-4000-8000-0000000000a1';

function row(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    owner_id: OWNER,
    username: 'Alice',
    endpoint: 'http://127.0.0.1:19100',
    phase: 'Running',
    desired_state: 'running',
    created_at: '2026-01-01T00:00:00Z',
    ...over,
  };
}

/** A fake database: a table of rows; `any(?)` filters by the id/owner literals. */
function fakeDb(rows: Record<string, unknown>[]) {
  const calls: string[] = [];
  const query = async (sql: string, params: unknown[]) => {
    calls.push(sql);
    if (!params.length) return rows;
    const [ids, owners] = params.map((p) => String(p).slice(1, -1).split(','));
    return rows.filter((r) => ids?.includes(String(r.id)) || owners?.includes(String(r.owner_id)));
  };
  return { query, calls, rows };
}

describe('RuntimeRouting', () => {
  it('loads once, then answers from memory', async () => {
    const db = fakeDb([row(A)]);
    const routing = new RuntimeRouting(db.query);
    for (let i = 0; i < 100; i++) expect((await routing.lookup('u-alice'))?.runtimeId).toBe(A);
    expect(await routing.lookup('u-bob')).toBeNull();
    expect(routing.queries).toBe(1);
  });

  it('re-reads only an invalidated runtime, lazily', async () => {
    const db = fakeDb([row(A, { phase: 'Starting', endpoint: null })]);
    const routing = new RuntimeRouting(db.query);
    expect((await routing.lookup('u-alice'))?.phase).toBe('Starting');
    db.rows[0] = row(A);
    routing.invalidateRuntime(A);
    expect(routing.queries).toBe(1);
    expect(await routing.lookup('u-alice')).toMatchObject({
      phase: 'Running',
      endpoint: 'http://127.0.0.1:19100',
    });
    expect(routing.queries).toBe(2);
    expect(db.calls[1]).toContain('any(');
  });

  it('learns new runtimes and forgets deleted ones through events', async () => {
    const db = fakeDb([]);
    const routing = new RuntimeRouting(db.query);
    expect(await routing.lookup('u-alice')).toBeNull();
    db.rows.push(row(A));
    routing.invalidateRuntime(A);
    expect((await routing.lookup('u-alice'))?.runtimeId).toBe(A);
    db.rows.length = 0;
    routing.invalidateRuntime(A);
    expect(await routing.lookup('u-alice')).toBeNull();
  });

  it('follows a rename through the owner invalidation', async () => {
    const db = fakeDb([row(A)]);
    const routing = new RuntimeRouting(db.query);
    expect(await routing.lookup('u-alice')).not.toBeNull();
    db.rows[0] = row(A, { username: 'alicia' });
    routing.invalidateOwner(OWNER);
    expect(await routing.lookup('u-alice')).toBeNull();
    expect((await routing.lookup('u-alicia'))?.ownerUsername).toBe('alicia');
  });

  it('prefers a live runtime over one being deleted, then the newest', async () => {
    const db = fakeDb([
      row(A, { desired_state: 'deleted', created_at: '2026-03-01T00:00:00Z' }),
      row(B, { created_at: '2026-02-01T00:00:00Z' }),
    ]);
    expect((await new RuntimeRouting(db.query).lookup('u-alice'))?.runtimeId).toBe(B);
  });

  it('a failed read is retried as a full load on the next lookup', async () => {
    let fail = true;
    const db = fakeDb([row(A)]);
    const routing = new RuntimeRouting(async (sql, params) => {
      if (fail) throw new Error('db down');
      return db.query(sql, params);
    });
    await expect(routing.lookup('u-alice')).rejects.toThrow('db down');
    fail = false;
    expect((await routing.lookup('u-alice'))?.runtimeId).toBe(A);
  });

  it('ignores invalidations that are not ids', () => {
    const routing = new RuntimeRouting(async () => []);
    routing.invalidateRuntime("x'); drop table runtimes; --");
    routing.invalidateOwner('*');
  });
});
