import { type ReactNode, useEffect } from 'react';
import { useSignOut } from '../auth/sign-out.ts';
import type { SignedIn } from '../auth/viewer.tsx';
import { useConnectionState } from '../lib/api-provider.tsx';
import { Link, useLocation } from '../lib/router.tsx';

const USER_NAV = [
  ['/', 'My runtime'],
  ['/models', 'Models'],
  ['/usage', 'Usage'],
  ['/tokens', 'API tokens'],
] as const;

const ADMIN_NAV = [
  ['/admin', 'Overview'],
  ['/admin/users', 'Users'],
  ['/admin/invitations', 'Invitations'],
  ['/admin/runtimes', 'Runtimes'],
  ['/admin/profiles', 'Profiles'],
  ['/admin/models', 'Model routes'],
  ['/admin/usage', 'Usage'],
  ['/admin/audit', 'Audit log'],
] as const;

/** The signed-in frame: header, navigation, the live-connection banner, and the page. */
export function Shell({ viewer, children }: { viewer: SignedIn; children: ReactNode }) {
  const { pathname } = useLocation();
  const signOut = useSignOut();
  // Moves focus to the new page's heading, so keyboard and screen-reader users hear the navigation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on purpose after each navigation
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
    // On phones the navigation is a scrolling strip: keep the current page's link in view.
    document
      .querySelector('.nav a[aria-current="page"]')
      ?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [pathname]);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={viewer.isAdmin ? '/admin' : '/'} className="brand">
          ClawLoops
        </Link>
        <div className="who">
          <span className="who-name" title="Signed in as">
            {viewer.username}
            {viewer.isAdmin && <span className="badge badge-neutral">admin</span>}
          </span>
          <button type="button" className="btn btn-ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="nav" aria-label="Main">
        {/* One group needs no heading (and phones need the room). */}
        <NavGroup label={viewer.isAdmin ? 'Me' : null} items={USER_NAV} pathname={pathname} />
        {viewer.isAdmin && <NavGroup label="Admin" items={ADMIN_NAV} pathname={pathname} />}
      </nav>
      <ConnectionBanner />
      <main id="main">{children}</main>
    </div>
  );
}

function NavGroup({
  label,
  items,
  pathname,
}: {
  label: string | null;
  items: readonly (readonly [string, string])[];
  pathname: string;
}) {
  return (
    <div className="nav-group">
      {label && <span className="nav-label">{label}</span>}
      <ul>
        {items.map(([to, text]) => (
          <li key={to}>
            <Link to={to} aria-current={pathname === to ? 'page' : undefined}>
              {text}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ConnectionBanner() {
  const state = useConnectionState();
  if (state !== 'reconnecting') return null;
  return (
    <div className="banner" role="status">
      Live updates paused: the connection to the server dropped. Reconnecting…
    </div>
  );
}

/** Pages outside the app frame (login, setup, errors): a centred card. */
export function Bare({ children }: { children: ReactNode }) {
  return (
    <div className="bare">
      <p className="brand bare-brand">ClawLoops</p>
      <main id="main" className="bare-card">
        {children}
      </main>
    </div>
  );
}
