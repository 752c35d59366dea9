import { useSignOut } from '../../auth/sign-out.ts';
import { useViewer } from '../../auth/viewer.tsx';
import { PageTitle } from '../../components/ui.tsx';
import { Link } from '../../lib/router.tsx';

export function Forbidden() {
  return (
    <>
      <PageTitle lead="This page is for administrators. If you need access, ask one of them.">
        Not allowed (403)
      </PageTitle>
      <Link to="/" className="btn btn-primary">
        Go to my runtime
      </Link>
    </>
  );
}

export function Disabled() {
  const { viewer } = useViewer();
  const signOut = useSignOut();
  return (
    <>
      <PageTitle lead="An administrator has disabled this account. Your runtime has been stopped and you have been signed out. Ask an administrator to enable it again.">
        Account disabled
      </PageTitle>
      {viewer ? (
        <button type="button" className="btn btn-secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      ) : (
        <Link to="/login" className="btn btn-secondary">
          Back to sign in
        </Link>
      )}
    </>
  );
}

export function NotFound() {
  return (
    <>
      <PageTitle lead="There is no page at this address. Check the link, or start from the home page.">
        Page not found (404)
      </PageTitle>
      <Link to="/" className="btn btn-primary">
        Go home
      </Link>
    </>
  );
}
