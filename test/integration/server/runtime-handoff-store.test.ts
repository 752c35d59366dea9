import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffStore, type SqlQuery } from '../../../server/src/auth/runtime-handoff-store.ts';
import { createTestDatabase } from '../../testkit/database.ts';

/** `?` placeholders → `$n`, over one pool: each pool stands for one server process. */
function serverPool(url: string): { query: SqlQuery; end(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    async query(sql, params) {
      let n = 0;
      return (
        await pool.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows;
    },
    end: () => pool.end(),
  };
}

describe('runtime hand-off seen-set (PostgreSQL)', () => {
  let a: ReturnType<typeof serverPool>;
  let b: ReturnType<typeof serverPool>;

  beforeAll(async () => {
    const url = await createTestDatabase();
    a = serverPool(url);
    b = serverPool(url);
  });
  afterAll(async () => {
    await a?.end();
    await b?.end();
  });

  it('a token id is redeemed exactly once across processes, however the requests race', async () => {
    const stores = [new HandoffStore(a.query), new HandoffStore(b.query)];
    const exp = Math.floor(Date.now() / 1000) + 60;
    for (const jti of ['j1', 'j2', 'j3']) {
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (stores[i % 2] as HandoffStore).claim(jti, exp)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    }
  });

  it('prunes ids whose token (plus grace) has expired, and only those', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const store = new HandoffStore(a.query, { graceMs: 1_000, pruneEveryMs: 0 });
    await store.claim('old', past);
    await store.claim('new', Math.floor(Date.now() / 1000) + 60);
    await new Promise((r) => setTimeout(r, 50));
    const rows = await a.query('select jti from runtime_handoffs where jti = any(?)', [
      ['old', 'new'],
    ]);
    expect(rows.map((r) => r.jti)).toEqual(['new']);
  });
});
