import { appendFileSync } from 'node:fs';
import { aliceRuntime, type GraphqlRow, unique } from './row-kit.ts';
import type { World } from './world.ts';

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
