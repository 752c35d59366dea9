import { useCallback } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql/index.ts';
import { useApi } from '../lib/api-provider.tsx';
import { navigate } from '../lib/router.tsx';

const LogoutDoc = graphql(`
  mutation Logout {
    logout
  }
`);

const SIGNED_IN_KEY = 'clawloops:signed-in';

/**
 * True when this tab signed in and never signed out: a session that vanishes then ended elsewhere
 * (expired, revoked, account disabled), which the login page says in words.
 */
export const sessionEndedUnexpectedly = () => sessionStorage.getItem(SIGNED_IN_KEY) === '1';

/** Signs out, drops every cached query and the socket, and lands on the login page. */
export function useSignOut(): () => Promise<void> {
  const [, logout] = useMutation(LogoutDoc);
  const { reset } = useApi();
  return useCallback(async () => {
    await logout({});
    sessionStorage.removeItem(SIGNED_IN_KEY);
    navigate('/login?reason=signed-out', { replace: true });
    reset();
  }, [logout, reset]);
}

/** After any sign-in: fresh clients (the new cookie must reach the socket), then `to`. */
export function useSignedIn(): (to: string) => void {
  const { reset } = useApi();
  return useCallback(
    (to: string) => {
      sessionStorage.setItem(SIGNED_IN_KEY, '1');
      // Other hosts (a workspace) and server routes (e.g. an /auth/ hand-off) need a real page load.
      if (/^https?:\/\//.test(to) || /^\/(auth|v1|graphql)(\/|$)/.test(to)) {
        window.location.assign(to);
        return;
      }
      navigate(to, { replace: true });
      reset();
    },
    [reset],
  );
}
