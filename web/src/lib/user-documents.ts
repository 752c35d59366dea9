import { graphql } from '../gql/index.ts';

/** Exact username → the user's id (search is a substring match). */
export const FindUserDoc = graphql(`
  query FindUser($search: String!) {
    users(first: 20, search: $search) {
      ... on QueryUsersSuccess { data { edges { node { id username } } } }
      ... on Error { code message }
    }
  }
`);
