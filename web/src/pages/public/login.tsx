import { type FormEvent, useEffect, useState } from 'react';
import { useMutation } from 'urql';
import { useSignedIn } from '../../auth/sign-out.ts';
import { useViewer } from '../../auth/viewer.tsx';
import { Field } from '../../components/field.tsx';
import { Alert, Button, PageTitle } from '../../components/ui.tsx';
import { graphql } from '../../gql/index.ts';
import { asError, describeCombined, describeTyped } from '../../lib/errors.ts';
import { navigate, useLocation } from '../../lib/router.tsx';
import { runtimeDomain, safeReturn } from '../../lib/safe-return.ts';

const LoginDoc = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      ... on SignInPayload {
        redirectTo
      }
      ... on Error {
        code
        message
      }
      ... on RateLimitedError {
        retryAfterSeconds
      }
    }
  }
`);

const BOUNCE_KEY = 'clawloops:login-bounce';

/** Remembers an automatic hop to `url`, so a second one within seconds is recognised as a loop. */
function rememberBounce(url: string): void {
  sessionStorage.setItem(BOUNCE_KEY, JSON.stringify({ url, at: Date.now() }));
}

function bouncedBack(url: string): boolean {
  try {
    const last = JSON.parse(sessionStorage.getItem(BOUNCE_KEY) ?? 'null') as {
      url: string;
      at: number;
    } | null;
    return last?.url === url && Date.now() - last.at < 15_000;
  } catch {
    return false;
  }
}

const REASONS: Record<string, string> = {
  expired: 'Your session has ended. Sign in again.',
  'signed-out': 'You have signed out.',
};

export function Login() {
  const { search } = useLocation();
  const { viewer } = useViewer();
  const signedIn = useSignedIn();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [result, login] = useMutation(LoginDoc);
  const [error, setError] = useState<string | null>(null);
  const back = safeReturn(search.get('return'), {
    origin: window.location.origin,
    runtimeDomain: runtimeDomain(),
  });

  const looped = viewer && back ? bouncedBack(back) : false;
  // Already signed in (e.g. sent here by the runtime entrance after a new tab): go on at once —
  // unless we were just here for the same address, i.e. the workspace host did not get the cookie.
  useEffect(() => {
    if (!viewer || viewer.mustChangePassword || looped) return;
    if (back) rememberBounce(back);
    signedIn(back ?? (viewer.isAdmin ? '/admin' : '/'));
  }, [viewer, back, looped, signedIn]);

  if (looped)
    return (
      <>
        <PageTitle>Workspace sign-in did not stick</PageTitle>
        <Alert>
          You are signed in here, but the workspace address did not receive your session, so it sent
          you back. An administrator must set COOKIE_DOMAIN to the common parent domain of the app
          and the workspaces.
        </Alert>
        <a className="btn btn-secondary" href="/">
          Go to my runtime
        </a>
      </>
    );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const res = await login({ username: username.trim(), password });
    const payload = res.data?.login;
    const failure = asError(payload);
    if (failure?.code === 'USER_DISABLED') return navigate('/disabled');
    if (failure) return setError(describeTyped(failure));
    if (payload?.__typename !== 'SignInPayload')
      return setError(describeCombined(res.error) ?? 'Sign-in failed.');
    const forced = payload.redirectTo === '/change-password';
    signedIn(forced || !back ? payload.redirectTo : back);
  };

  return (
    <>
      <PageTitle lead="Use the username your administrator gave you.">Sign in</PageTitle>
      <Alert kind="info">{REASONS[search.get('reason') ?? '']}</Alert>
      {back && /^(https?:|\/auth\/runtime-login)/.test(back) && (
        <Alert kind="info">After signing in you will return to your workspace.</Alert>
      )}
      <form onSubmit={submit} className="form" noValidate>
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Alert>{error}</Alert>
        <Button
          type="submit"
          variant="primary"
          busy={result.fetching}
          disabled={!username || !password}
        >
          Sign in
        </Button>
      </form>
    </>
  );
}
