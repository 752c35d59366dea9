import type { ReactNode } from 'react';
import type { SignedIn } from './auth/viewer.tsx';
import { AdminAudit } from './pages/admin/audit.tsx';
import { AdminInvitations } from './pages/admin/invitations.tsx';
import { AdminModels } from './pages/admin/models.tsx';
import { AdminOverview } from './pages/admin/overview.tsx';
import { AdminProfiles } from './pages/admin/profiles.tsx';
import { AdminRuntimes } from './pages/admin/runtimes.tsx';
import { AdminUsage } from './pages/admin/usage.tsx';
import { AdminUsers } from './pages/admin/users.tsx';
import { ChangePassword } from './pages/public/change-password.tsx';
import { Disabled, Forbidden } from './pages/public/error-pages.tsx';
import { Invite } from './pages/public/invite.tsx';
import { Login } from './pages/public/login.tsx';
import { Setup } from './pages/public/setup.tsx';
import { ApiTokens } from './pages/user/api-tokens.tsx';
import { MyModels } from './pages/user/my-models.tsx';
import { MyRuntime } from './pages/user/my-runtime.tsx';
import { MyUsage } from './pages/user/my-usage.tsx';

type Params = Record<string, string>;

/** Rendered outside the app frame, for anyone. */
export const PUBLIC_ROUTES: [string, (p: Params) => ReactNode][] = [
  ['/login', () => <Login />],
  ['/setup', () => <Setup />],
  ['/invite/:token', (p) => <Invite token={p.token ?? ''} />],
  ['/change-password', () => <ChangePassword />],
  ['/403', () => <Forbidden />],
  ['/disabled', () => <Disabled />],
];

export const USER_ROUTES: [string, (v: SignedIn) => ReactNode][] = [
  ['/', () => <MyRuntime />],
  ['/models', () => <MyModels />],
  ['/usage', () => <MyUsage />],
  ['/tokens', () => <ApiTokens />],
];

export const ADMIN_ROUTES: [string, (v: SignedIn) => ReactNode][] = [
  ['/admin', () => <AdminOverview />],
  ['/admin/users', (v) => <AdminUsers viewer={v} />],
  ['/admin/invitations', () => <AdminInvitations />],
  ['/admin/runtimes', () => <AdminRuntimes />],
  ['/admin/profiles', () => <AdminProfiles />],
  ['/admin/models', () => <AdminModels />],
  ['/admin/usage', () => <AdminUsage />],
  ['/admin/audit', () => <AdminAudit />],
];
