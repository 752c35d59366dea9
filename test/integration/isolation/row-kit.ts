import { sha256Hex } from '../../../server/src/auth/crypto.ts';
import { globalRuntimeId } from '../server/runtimes-fixtures.ts';
import type { AccessRule, Outcome, Verdict } from './policy.ts';
import type { Coordinate } from './schema-surface.ts';
import type { Actor, World } from './world.ts';

type Vars = Record<string, unknown>;

/**
 * One row of the matrix: a root field (or one way of calling it), its access rule, and the variables
 * each actor calls it with. The selection is generated from the schema (every field reachable), so
 * a new object field is exercised by every row that can reach it without anyone writing it down.
 */
export interface GraphqlRow extends AccessRule {
  field: Coordinate;
  /** Several rows may call one field differently. */
  variant?: string;
  args?: string;
  varDefs?: string;
  /** Nesting of the generated selection. @default 5 (deeper costs more than the cost limit allows) */
  depth?: number;
  /**
   * Variables for this actor. Allowed mutations get fresh targets (so the matrix does not consume
   * its own fixtures); refused ones get the owner's resources, which must come out unchanged.
   */
  vars?: (w: World, actor: Actor, verdict: Verdict) => Vars | Promise<Vars>;
  /** Outcomes that mean "allowed" for this row. @default ['ok'] */
  allowAs?: Outcome[];
  /** Sign each session actor in afresh for this row (it ends the session it runs on). */
  freshSession?: boolean;
  /** Makes an allowed subscription produce its first item. */
  feed?: (w: World) => void;
}

export const rowName = (r: GraphqlRow) => (r.variant ? `${r.field} [${r.variant}]` : r.field);

export const unique = () => crypto.randomUUID().slice(0, 8);
export const rt = (id: string) => globalRuntimeId(id);
export const aliceRuntime = (w: World) => ({ id: rt(w.runtimes.alice) });
/** A runtime of alice's that only an allowed caller acts on. */
export const scratch = async (w: World, state: 'running' | 'stopped') =>
  rt(await w.insertRuntime(w.users.alice.id, state));

export async function tokenId(w: World, ownerId: string): Promise<string> {
  const token = await w.seed.createApiToken({ id: ownerId }, ['runtime:read']);
  w.scanner.add('API token (fresh)', token);
  const [row] = await w.sql('select id from api_tokens where secret_hash = ?', [sha256Hex(token)]);
  return String(row?.id);
}

export async function budgetedUser(w: World) {
  const u = await w.user('budgeted');
  await w.asUser(
    w.cookies.root,
    'mutation($u: ID!) { setModelBudget(input: { user: $u, period: DAY, tokenLimit: 10 }) { __typename } }',
    { u: u.globalId },
  );
  return u;
}

export const principalId = (w: World, actor: Actor) =>
  actor === 'admin' ? w.users.root.id : w.users.alice.id;
