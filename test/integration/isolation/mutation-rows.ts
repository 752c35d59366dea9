import {
  aliceRuntime,
  budgetedUser,
  type GraphqlRow,
  principalId,
  rt,
  scratch,
  tokenId,
  unique,
} from './row-kit.ts';

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
