import { useQuery } from 'urql';
import { graphql } from '../gql/index.ts';

const PolicyDoc = graphql(`
  query PasswordPolicy {
    passwordPolicy {
      minLength
      maxLength
      requireLetter
      requireDigit
    }
  }
`);

/** The server's password policy in one sentence (used as the password field's hint). */
export function usePasswordRules(): string {
  const [{ data }] = useQuery({ query: PolicyDoc });
  const p = data?.passwordPolicy;
  if (!p) return 'At least 8 characters, with a letter and a digit; not your username.';
  const needs = [p.requireLetter && 'a letter', p.requireDigit && 'a digit'].filter(Boolean);
  return `${p.minLength}–${p.maxLength} characters${needs.length ? `, with ${needs.join(' and ')}` : ''}; not your username.`;
}
