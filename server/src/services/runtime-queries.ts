import type { EntityManager } from '@mikro-orm/postgresql';
import type { RuntimePhase } from '../../../schema/domain/enums.ts';
import { User } from '../../../schema/entities/user.entity.ts';
import {
  isAdmin,
  isUuid,
  type RuntimeRequest,
  requireScope,
  requireViewer,
} from './runtime-access.ts';
import { type RuntimeRecord, runtimeColumns, runtimeFromRow } from './runtime-record.ts';
import { sqlRunner } from './runtime-spec-change.ts';

/** The viewer's current runtime: the newest one that is not Deleted. One statement. */
export async function myRuntime(req: RuntimeRequest): Promise<RuntimeRecord | null> {
  const viewer = requireViewer(req.viewer);
  requireScope(viewer, 'runtime:read');
  const rows = await sqlRunner(req.em)(
    `select ${runtimeColumns('r')} from runtimes r
      where r.owner_id = ? and r.phase <> 'Deleted' order by r.created_at desc limit 1`,
    [viewer.userId],
  );
  return rows[0] ? runtimeFromRow(rows[0]) : null;
}

/**
 * Runtimes by id, in input order, `null` where missing or not the viewer's to see (admins see all).
 * One statement for any number of ids: backs `runtime(id)` and `node(id)`.
 */
export async function visibleRuntimesByIds(
  req: RuntimeRequest,
  ids: readonly string[],
): Promise<(RuntimeRecord | null)[]> {
  const viewer = requireViewer(req.viewer);
  requireScope(viewer, 'runtime:read');
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return ids.map(() => null);
  const params: unknown[] = [...valid];
  let where = `r.id in (${valid.map(() => '?').join(', ')})`;
  if (!isAdmin(viewer)) {
    where += ' and r.owner_id = ?';
    params.push(viewer.userId);
  }
  const rows = await sqlRunner(req.em)(
    `select ${runtimeColumns('r')} from runtimes r where ${where}`,
    params,
  );
  const byId = new Map(rows.map((row) => runtimeFromRow(row)).map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

export interface RuntimeListArgs {
  /** Page size. @default 50, at most 1000 */
  first?: number | null;
  /** Cursor of the last runtime of the previous page. */
  after?: string | null;
  phases?: RuntimePhase[] | null;
  /** Admins only; ignored-by-narrowing for users, who always see their own runtimes only. */
  ownerId?: string | null;
  /** Include runtimes whose teardown finished. @default false */
  includeDeleted?: boolean | null;
}

export interface RuntimePage {
  nodes: { cursor: string; runtime: RuntimeRecord }[];
  hasNextPage: boolean;
  /** Runs the count only when the client asks for `totalCount`. */
  totalCount: () => Promise<number>;
}

export const MAX_PAGE = 1000;

/** The dashboard list, oldest first, keyset-paginated. One statement (two with `totalCount`). */
export async function listRuntimes(
  req: RuntimeRequest,
  args: RuntimeListArgs,
): Promise<RuntimePage> {
  const viewer = requireViewer(req.viewer);
  requireScope(viewer, 'runtime:read');
  const first = Math.min(Math.max(args.first ?? 50, 0), MAX_PAGE);
  // Users are pinned to their own runtimes; asking for someone else's simply matches nothing.
  const owner = isAdmin(viewer) ? args.ownerId : viewer.userId;
  const foreign = !isAdmin(viewer) && args.ownerId && args.ownerId !== viewer.userId;
  if (foreign || (owner && !isUuid(owner)))
    return { nodes: [], hasNextPage: false, totalCount: async () => 0 };
  const conds: string[] = [];
  const params: unknown[] = [];
  if (owner) {
    conds.push('r.owner_id = ?');
    params.push(owner);
  }
  if (args.phases?.length) {
    conds.push(`r.phase in (${args.phases.map(() => '?').join(', ')})`);
    params.push(...args.phases);
  } else if (!args.includeDeleted) conds.push(`r.phase <> 'Deleted'`);
  const run = sqlRunner(req.em);
  const filterSql = conds.length ? conds.join(' and ') : 'true';
  const cursor = args.after ? decodeCursor(args.after) : null;
  const pageSql = cursor
    ? `${filterSql} and (r.created_at, r.id) > (?::timestamptz, ?::uuid)`
    : filterSql;
  const rows = await run(
    `select ${runtimeColumns('r')}, r.created_at::text as cursor_at from runtimes r
      where ${pageSql} order by r.created_at, r.id limit ?`,
    [...params, ...(cursor ? [cursor.at, cursor.id] : []), first + 1],
  );
  return {
    nodes: rows.slice(0, first).map((row) => ({
      cursor: encodeCursor(String(row.cursor_at), String(row.rt_id)),
      runtime: runtimeFromRow(row),
    })),
    hasNextPage: rows.length > first,
    totalCount: async () => {
      const [row] = await run(
        `select count(*)::int as n from runtimes r where ${filterSql}`,
        params,
      );
      return Number(row?.n ?? 0);
    },
  };
}

// The cursor keeps PostgreSQL's own text of created_at: microseconds survive the round trip.
function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  return at && id && isUuid(id) && !Number.isNaN(Date.parse(at)) ? { at, id } : null;
}

/** The given users in input order (null where missing), one statement: the owner loader's batch. */
export async function usersByIds(
  em: EntityManager,
  ids: readonly string[],
): Promise<(User | null)[]> {
  const valid = [...new Set(ids.filter(isUuid))];
  const users = valid.length ? await em.find(User, { id: { $in: valid } }) : [];
  const byId = new Map(users.map((u) => [u.id, u]));
  return ids.map((id) => byId.get(id) ?? null);
}
