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

/** Signs out, drops every cached query and the socket, and lands on the login page. */
export function useSignOut(): () => Promise<void> {
  const [, logout] = useMutation(LogoutDoc);
  const { reset } = useApi();
  return useCallback(async () => {
    await logout({});
    navigate('/login', { replace: true });
    reset();
  }, [logout, reset]);
}

/** After any sign-in: fresh clients (the new cookie must reach the socket), then `to`. */
export function useSignedIn(): (to: string) => void {
  const { reset } = useApi();
  return useCallback(
    (to: string) => {
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
