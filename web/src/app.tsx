import type { ReactNode } from 'react';
import { sessionEndedUnexpectedly } from './auth/sign-out.ts';
import { type SignedIn, useViewer } from './auth/viewer.tsx';
import { Bare, Shell } from './components/shell.tsx';
import { Alert, Loading } from './components/ui.tsx';
import { matchPath, navigate, useLocation } from './lib/router.tsx';
import { NotFound } from './pages/public/error-pages.tsx';
import { ADMIN_ROUTES, PUBLIC_ROUTES, USER_ROUTES } from './routes.tsx';

/**
 * Routing and guards. Public pages render for anyone; user pages need a session (else /login with a
 * return address), a completed password change (else /change-password) and, under /admin, the admin
 * role (else /403).
 */
export function App() {
  const { pathname } = useLocation();
  for (const [pattern, render] of PUBLIC_ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) return <Bare>{render(params)}</Bare>;
  }
  const user = USER_ROUTES.find(([p]) => matchPath(p, pathname));
  const admin = ADMIN_ROUTES.find(([p]) => matchPath(p, pathname));
  if (!user && !admin)
    return (
      <Bare>
        <NotFound />
      </Bare>
    );
  return <Guard admin={Boolean(admin)}>{(viewer) => (user ?? admin)?.[1](viewer)}</Guard>;
}

function Guard({ admin, children }: { admin: boolean; children: (v: SignedIn) => ReactNode }) {
  const { viewer, error } = useViewer();
  const { pathname, search } = useLocation();
  if (viewer === undefined) {
    return (
      <Bare>
        <Loading what="Checking your session" />
      </Bare>
    );
  }
  if (viewer === null) {
    if (error)
      return (
        <Bare>
          <Alert>{error}</Alert>
        </Bare>
      );
    const here = `${pathname}${search.size ? `?${search}` : ''}`;
    const query = new URLSearchParams();
    if (here !== '/') query.set('return', here);
    if (sessionEndedUnexpectedly()) query.set('reason', 'expired');
    redirect(`/login${query.size ? `?${query}` : ''}`);
    return null;
  }
  if (viewer.mustChangePassword) {
    redirect('/change-password');
    return null;
  }
  if (admin && !viewer.isAdmin) {
    redirect('/403');
    return null;
  }
  return <Shell viewer={viewer}>{children(viewer)}</Shell>;
}

/** Navigation must not happen during render; queue it. */
function redirect(to: string) {
  queueMicrotask(() => navigate(to, { replace: true }));
}
