import { appendFileSync } from 'node:fs';
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

const unique = () => crypto.randomUUID().slice(0, 8);
const rt = (id: string) => globalRuntimeId(id);
const aliceRuntime = (w: World) => ({ id: rt(w.runtimes.alice) });
/** A runtime of alice's that only an allowed caller acts on. */
const scratch = async (w: World, state: 'running' | 'stopped') =>
  rt(await w.insertRuntime(w.users.alice.id, state));

async function tokenId(w: World, ownerId: string): Promise<string> {
  const token = await w.seed.createApiToken({ id: ownerId }, ['runtime:read']);
  w.scanner.add('API token (fresh)', token);
  const [row] = await w.sql('select id from api_tokens where secret_hash = ?', [sha256Hex(token)]);
  return String(row?.id);
}

async function budgetedUser(w: World) {
  const u = await w.user('budgeted');
  await w.asUser(
    w.cookies.root,
    'mutation($u: ID!) { setModelBudget(input: { user: $u, period: DAY, tokenLimit: 10 }) { __typename } }',
    { u: u.globalId },
  );
  return u;
}

const principalId = (w: World, actor: Actor) =>
  actor === 'admin' ? w.users.root.id : w.users.alice.id;

export const QUERY_ROWS: GraphqlRow[] = [
  { field: 'Query.apiTokens', policy: 'self', sessionOnly: true },
  {
    field: 'Query.auditEvents',
    policy: 'admin',
    scope: 'audit:read',
    args: '(first: 20)',
    depth: 6, // down to AuditEvent.actor
  },
  {
    field: 'Query.invitationPreview',
    policy: 'public',
    args: '(token: $t)',
    varDefs: '($t: String!)',
    vars: () => ({ t: `no-such-invitation-${unique()}` }),
  },
  { field: 'Query.invitations', policy: 'admin', scope: 'users:read' },
  { field: 'Query.modelBudgets', policy: 'admin', scope: 'models:read' },
  { field: 'Query.modelRoutes', policy: 'admin', scope: 'models:read' },
  { field: 'Query.myModels', policy: 'self', scope: 'models:read' },
  // Null before one's first start (the admin has none).
  { field: 'Query.myRuntime', policy: 'self', scope: 'runtime:read', allowAs: ['ok', 'hidden'] },
  { field: 'Query.myUsage', policy: 'self', scope: 'models:read' },
  {
    field: 'Query.node',
    variant: 'a runtime',
    policy: 'owner',
    scope: 'runtime:read',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: aliceRuntime,
  },
  {
    field: 'Query.node',
    variant: 'a user',
    policy: 'owner',
    scope: 'users:read',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: (w) => ({ id: w.users.alice.globalId }),
    // Her own record needs no scope, as `viewer` needs none.
    expect: { underScoped: 'allow' },
  },
  { field: 'Query.passwordPolicy', policy: 'public' },
  {
    field: 'Query.runtime',
    policy: 'owner',
    scope: 'runtime:read',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: aliceRuntime,
  },
  {
    field: 'Query.runtimeLogs',
    policy: 'owner',
    scope: 'runtime:read',
    args: '(runtimeId: $id)',
    varDefs: '($id: ID!)',
    vars: aliceRuntime,
  },
  // depth 4: a page of runtimes with their events is past the cost limit (runtime(id) has them).
  {
    field: 'Query.runtimes',
    policy: 'self',
    scope: 'runtime:read',
    args: '(first: 100)',
    depth: 4,
  },
  {
    field: 'Query.runtimes',
    variant: "filtered to the owner's",
    policy: 'self',
    scope: 'runtime:read',
    args: '(first: 100, filter: { ownerId: $owner })',
    varDefs: '($owner: ID!)',
    depth: 4,
    vars: (w) => ({ owner: w.users.alice.globalId }),
  },
  { field: 'Query.runtimeLimits', policy: 'admin', scope: 'users:read' },
  // Non-admins see the profiles open to them: never one only the owner may choose (canaries).
  { field: 'Query.runtimeProfiles', policy: 'self', scope: 'runtime:read' },
  { field: 'Query.serverTime', policy: 'public' },
  {
    field: 'Query.usageReport',
    policy: 'admin',
    scope: 'models:read',
    args: '(from: $from, to: $to, groupBy: [USER, MODEL, DAY])',
    varDefs: '($from: DateTime!, $to: DateTime!)',
    vars: () => ({
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
    }),
  },
  {
    field: 'Query.user',
    policy: 'owner',
    scope: 'users:read',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: (w) => ({ id: w.users.alice.globalId }),
    expect: { underScoped: 'allow' },
  },
  { field: 'Query.users', policy: 'admin', scope: 'users:read', args: '(first: 100)' },
  {
    field: 'Query.viewer',
    policy: 'self',
    // Who you are is what a password change and every token may always ask.
    expect: { mustChange: 'allow' },
  },
];

export const MUTATION_ROWS: GraphqlRow[] = [
  {
    field: 'Mutation.acceptInvitation',
    policy: 'public',
    args: '(token: $t, username: $u, password: $p)',
    varDefs: '($t: String!, $u: String!, $p: String!)',
    vars: () => ({ t: `no-such-${unique()}`, u: `nobody-${unique()}`, p: 'Whatever-123456' }),
    allowAs: ['notFound'],
  },
  {
    field: 'Mutation.changePassword',
    policy: 'self',
    sessionOnly: true,
    // A wrong current password: `invalid` means the call got past authorisation.
    args: '(currentPassword: "Wrong-pass-1", newPassword: "Whatever-123456")',
    allowAs: ['invalid'],
    expect: { mustChange: 'allow' },
  },
  {
    field: 'Mutation.createApiToken',
    policy: 'self',
    sessionOnly: true,
    args: '(name: "matrix", scopes: [RUNTIME_READ])',
  },
  {
    field: 'Mutation.createInvitation',
    policy: 'admin',
    scope: 'users:write',
    args: '(role: ADMIN, expiresInHours: 1)',
  },
  {
    field: 'Mutation.createRuntimeProfile',
    policy: 'admin',
    scope: 'users:write',
    args: `(input: { name: $name, displayName: "x", cpuRequest: "100m", cpuLimit: "1",
                     memoryMiB: 512, diskGiB: 1, terminal: true })`,
    varDefs: '($name: String!)',
    vars: () => ({ name: `profile-${unique()}` }),
  },
  {
    field: 'Mutation.createModelRoute',
    policy: 'admin',
    scope: 'users:write',
    args: '(input: $input, credential: $c)',
    varDefs: '($input: CreateModelRouteInput!, $c: String)',
    vars: (w) => {
      const credential = `sk-matrix-${unique()}-credential`;
      w.scanner.add('upstream key (matrix route)', credential);
      return {
        input: { name: `route-${unique()}`, baseUrl: w.upstream.url, upstreamModel: 'm' },
        c: credential,
      };
    },
  },
  {
    field: 'Mutation.deleteModelRoute',
    policy: 'admin',
    scope: 'users:write',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id: v === 'allow' ? await w.createRoute(`doomed-${unique()}`) : w.routes.aliceOnly,
    }),
  },
  {
    field: 'Mutation.deleteRuntimeProfile',
    policy: 'admin',
    scope: 'users:write',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id: v === 'allow' ? await w.createProfile(`doomed-${unique()}`) : w.profiles.aliceOnly,
    }),
  },
  {
    field: 'Mutation.deleteRuntime',
    policy: 'owner',
    scope: 'runtime:write',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) =>
      v === 'allow' ? { id: await scratch(w, 'running') } : aliceRuntime(w),
  },
  {
    field: 'Mutation.grantModelRoute',
    policy: 'admin',
    scope: 'users:write',
    args: '(route: $r, user: $u)',
    varDefs: '($r: ID!, $u: ID)',
    vars: async (w, _a, v) => ({
      r: v === 'allow' ? await w.createRoute(`granted-${unique()}`) : w.routes.aliceOnly,
      u: w.users.bob.globalId,
    }),
  },
  {
    field: 'Mutation.login',
    policy: 'public',
    args: '(username: $u, password: $p)',
    varDefs: '($u: String!, $p: String!)',
    vars: () => ({ u: `nobody-${unique()}`, p: 'Wrong-pass-123' }),
    allowAs: ['unauth'],
  },
  { field: 'Mutation.logout', policy: 'public', freshSession: true },
  {
    field: 'Mutation.removeModelBudget',
    policy: 'admin',
    scope: 'users:write',
    args: '(user: $u)',
    varDefs: '($u: ID)',
    vars: async (w, _a, v) => ({
      u: v === 'allow' ? (await budgetedUser(w)).globalId : w.users.alice.globalId,
    }),
  },
  {
    field: 'Mutation.resetModelBudget',
    policy: 'admin',
    scope: 'users:write',
    args: '(user: $u)',
    varDefs: '($u: ID!)',
    vars: async (w, _a, v) => ({
      u: v === 'allow' ? (await budgetedUser(w)).globalId : w.users.alice.globalId,
    }),
  },
  {
    field: 'Mutation.restartRuntime',
    policy: 'owner',
    scope: 'runtime:write',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) =>
      v === 'allow' ? { id: await scratch(w, 'running') } : aliceRuntime(w),
  },
  {
    field: 'Mutation.revokeApiToken',
    policy: 'self',
    sessionOnly: true,
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    // Allowed: one of the caller's own tokens. Refused (and another user): one of alice's.
    vars: async (w, actor, v) => ({
      id: await tokenId(w, v === 'allow' ? principalId(w, actor) : w.users.alice.id),
    }),
    expect: { other: 'deny' },
  },
  {
    field: 'Mutation.revokeInvitation',
    policy: 'admin',
    scope: 'users:write',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id: v === 'allow' ? (await w.seed.createInvitation()).id : w.pendingInvitation,
    }),
  },
  {
    field: 'Mutation.revokeModelGrant',
    policy: 'admin',
    scope: 'users:write',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id:
        v === 'allow'
          ? await w.grant(await w.createRoute(`revoked-${unique()}`), w.users.bob)
          : w.grants.aliceOnly,
    }),
  },
  {
    field: 'Mutation.setModelBudget',
    policy: 'admin',
    scope: 'users:write',
    args: '(input: { user: $u, period: DAY, tokenLimit: 1e12 })',
    varDefs: '($u: ID)',
    vars: async (w, _a, v) => ({
      u: v === 'allow' ? (await w.user('budget')).globalId : w.users.alice.globalId,
    }),
  },
  {
    field: 'Mutation.setModelRouteCredential',
    policy: 'admin',
    scope: 'users:write',
    args: '(id: $id, credential: $c)',
    varDefs: '($id: ID!, $c: String)',
    vars: async (w, _a, v) => {
      const credential = `sk-rotated-${unique()}-credential`;
      w.scanner.add('upstream key (rotated)', credential);
      return {
        id: v === 'allow' ? await w.createRoute(`rotated-${unique()}`) : w.routes.aliceOnly,
        c: credential,
      };
    },
  },
  {
    field: 'Mutation.setUserRuntimeLimit',
    policy: 'admin',
    scope: 'users:write',
    args: '(id: $id, maxRunningRuntimes: 50)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id: v === 'allow' ? (await w.user('limited')).globalId : w.users.alice.globalId,
    }),
  },
  {
    field: 'Mutation.setUserRole',
    policy: 'admin',
    scope: 'users:write',
    args: '(id: $id, role: ADMIN)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id: v === 'allow' ? (await w.user('promoted')).globalId : w.users.alice.globalId,
    }),
  },
  {
    field: 'Mutation.setUserStatus',
    policy: 'admin',
    scope: 'users:write',
    args: '(id: $id, status: DISABLED)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id: v === 'allow' ? (await w.user('disabled')).globalId : w.users.alice.globalId,
    }),
  },
  {
    field: 'Mutation.setupFirstAdmin',
    policy: 'public',
    args: '(token: $t, username: $u, password: $p)',
    varDefs: '($t: String!, $u: String!, $p: String!)',
    vars: () => ({ t: `no-such-${unique()}`, u: `nobody-${unique()}`, p: 'Whatever-123456' }),
    allowAs: ['forbidden', 'conflict'],
  },
  {
    field: 'Mutation.startRuntime',
    policy: 'owner',
    scope: 'runtime:write',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id: v === 'allow' ? await scratch(w, 'stopped') : rt(w.runtimes.aliceStopped),
    }),
  },
  {
    field: 'Mutation.startRuntime',
    variant: 'your own',
    policy: 'self',
    scope: 'runtime:write',
  },
  {
    field: 'Mutation.startRuntime',
    variant: 'your own, with a profile only the owner may choose',
    policy: 'owner',
    scope: 'runtime:write',
    args: '(profile: $p)',
    varDefs: '($p: String!)',
    vars: (w) => ({ p: w.aliceProfile }),
  },
  {
    field: 'Mutation.stopRuntime',
    policy: 'owner',
    scope: 'runtime:write',
    args: '(id: $id)',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) =>
      v === 'allow' ? { id: await scratch(w, 'running') } : aliceRuntime(w),
  },
  {
    field: 'Mutation.updateRuntimeProfile',
    policy: 'admin',
    scope: 'users:write',
    // Refused: opening alice's private profile to everyone.
    args: '(id: $id, input: { availableToAll: true })',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id: v === 'allow' ? await w.createProfile(`updated-${unique()}`) : w.profiles.aliceOnly,
    }),
  },
  {
    field: 'Mutation.updateModelRoute',
    policy: 'admin',
    scope: 'users:write',
    args: '(id: $id, input: { baseUrl: "http://attacker.invalid/v1" })',
    varDefs: '($id: ID!)',
    vars: async (w, _a, v) => ({
      id: v === 'allow' ? await w.createRoute(`updated-${unique()}`) : w.routes.aliceOnly,
    }),
  },
];

/** Console lines for an allowed `runtimeLogLines`, which streams only what is written after it. */
const appendLogLine = (w: World) => appendFileSync(w.consoleLog, `tick ${unique()}\n`);

export const SUBSCRIPTION_ROWS: GraphqlRow[] = [
  {
    field: 'Subscription.runtimeEvents',
    variant: "one runtime's",
    policy: 'owner',
    scope: 'runtime:read',
    args: '(filter: { runtimeId: $id }, after: "0")',
    varDefs: '($id: ID!)',
    vars: aliceRuntime,
  },
  {
    field: 'Subscription.runtimeEvents',
    variant: "an owner's",
    policy: 'owner',
    scope: 'runtime:read',
    args: '(filter: { ownerId: $owner }, after: "0")',
    varDefs: '($owner: ID!)',
    vars: (w) => ({ owner: w.users.alice.globalId }),
  },
  {
    field: 'Subscription.runtimeEvents',
    variant: 'everything visible',
    policy: 'self',
    scope: 'runtime:read',
    args: '(after: "0")',
  },
  {
    field: 'Subscription.runtimeLogLines',
    policy: 'owner',
    scope: 'runtime:read',
    args: '(runtimeId: $id)',
    varDefs: '($id: ID!)',
    vars: aliceRuntime,
    feed: appendLogLine,
  },
  {
    field: 'Subscription.runtimeProgress',
    policy: 'owner',
    scope: 'runtime:read',
    args: '(runtimeId: $id)',
    varDefs: '($id: ID!)',
    vars: aliceRuntime,
  },
  {
    field: 'Subscription.runtimeStatus',
    policy: 'owner',
    scope: 'runtime:read',
    args: '(runtimeId: $id)',
    varDefs: '($id: ID!)',
    vars: aliceRuntime,
  },
];

export const GRAPHQL_ROWS = [...QUERY_ROWS, ...MUTATION_ROWS, ...SUBSCRIPTION_ROWS];
